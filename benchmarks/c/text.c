/* The text kernel: the same paragraph and counting rules as kernels/text.py, on a char array. */
#include <string.h>

static const char TEXT[] =
    "It was the best of times, it was the worst of times, it was the age of wisdom, "
    "it was the age of foolishness, it was the epoch of belief, it was the epoch of incredulity, "
    "it was the season of light, it was the season of darkness, it was the spring of hope, "
    "it was the winter of despair, we had everything before us, we had nothing before us, "
    "we were all going direct to heaven, we were all going direct the other way. "
    "In short, the period was so far like the present period, that some of its noisiest "
    "authorities insisted on its being received, for good or for evil, in the superlative "
    "degree of comparison only.\n";

static int is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }
static int is_separator(char c) { return c == ' ' || c == ',' || c == '.' || c == '\n'; }

long long text(long long n) {
    long long total = 0, size = (long long)strlen(TEXT);
    for (long long r = 0; r < n; r++) {
        long long words = 0, vowels = 0, longest = 0, current = 0, check = r;
        for (long long i = 0; i < size; i++) {
            char c = TEXT[i];
            if (is_separator(c)) {
                if (current > 0) {
                    words++;
                    check = (check * 31 + current) % 1000003;
                    if (current > longest) longest = current;
                }
                current = 0;
            } else {
                current++;
                if (is_vowel(c)) vowels++;
            }
        }
        if (current > 0) {
            words++;
            check = (check * 31 + current) % 1000003;
            if (current > longest) longest = current;
        }
        total += words + vowels + longest + check;
    }
    return total;
}
