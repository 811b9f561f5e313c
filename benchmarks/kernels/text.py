"""A string-light text kernel: scan a paragraph character by character, counting words, vowels,
the longest word and a rolling checksum of word lengths."""

SMALL = 3
LARGE = 2000
KIND = "text"
TOLERANCE = 0.0

TEXT = (
    "It was the best of times, it was the worst of times, it was the age of wisdom, "
    "it was the age of foolishness, it was the epoch of belief, it was the epoch of incredulity, "
    "it was the season of light, it was the season of darkness, it was the spring of hope, "
    "it was the winter of despair, we had everything before us, we had nothing before us, "
    "we were all going direct to heaven, we were all going direct the other way. "
    "In short, the period was so far like the present period, that some of its noisiest "
    "authorities insisted on its being received, for good or for evil, in the superlative "
    "degree of comparison only.\n"
)


def is_vowel(c: str) -> bool:
    return c == "a" or c == "e" or c == "i" or c == "o" or c == "u"


def is_separator(c: str) -> bool:
    return c == " " or c == "," or c == "." or c == "\n"


def text(n: int) -> int:
    """Scan TEXT n times; each pass adds its word count, vowel count, longest word and checksum."""
    total = 0
    size = len(TEXT)
    for r in range(n):
        words = 0
        vowels = 0
        longest = 0
        current = 0
        check = r
        for i in range(size):
            c = TEXT[i]
            if is_separator(c):
                if current > 0:
                    words += 1
                    check = (check * 31 + current) % 1000003
                    longest = max(longest, current)
                current = 0
            else:
                current += 1
                if is_vowel(c):
                    vowels += 1
        if current > 0:
            words += 1
            check = (check * 31 + current) % 1000003
            longest = max(longest, current)
        total += words + vowels + longest + check
    return total
