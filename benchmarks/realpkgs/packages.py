"""The packages measured: each pinned by exact version and the sha256 of its sdist.

An sdist carries the package's own tests; `tests` is the command that runs them from the unpacked
sdist root (`{python}` is the interpreter); `trace`, when set, is the part of them that
`migrate --trace` runs (for a suite too slow under the tracer). `import_root` is the folder, relative to the sdist root,
that holds the import package. `workload` is a small program that exercises the package's hot
functions: its `setup` runs once, `run` is timed, and the value `run` leaves in `result` must be the
same in every implementation. `runtime_deps` are single-module dependencies copied beside the built
package for the differential run's bare interpreter (`-S -I`: no site-packages). `tables` name the
modules that only hold data (chardet's language models): Cython and mypyc leave them as Python, which
changes no timing and saves most of their build time.

`hot` are the package's hot functions, each timed alone (next to the whole workload) under every
implementation. They were chosen by profiling the workload under cProfile (own time of the package's
functions, the top ones that a caller reaches directly): idna spends 24% of it in
`intranges_contain` (a bisection over code point ranges), 10% in `check_label` and 6% in `check_bidi`;
toolz 36% in `groupby` and 21% in `frequencies`, then `unique` and `partition_all`; chardet 41% in
`SingleByteCharSetProber.feed` (reached through `SBCSGroupProber`), then the SJIS and UTF-8 probers'
`feed` (whose inner loop is `CodingStateMachine.next_state`) and `filter_international_words`; ecdsa
all of it in `PointJacobi`'s arithmetic (`_double`, `_add_with_z2_1`, `_mul_precompute`), timed as a
scalar multiplication of a point with no precomputed table, and the integer loops of `numbertheory`.
Each `run` leaves a small `result` that must equal CPython's.

`trace_budget` bounds the traced migration (seconds): past it, or when the traced command fails, the
harness migrates the package statically (inference from the source alone) and reports why.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Hot:
    """One hot function: `label` names it as `module.qualname` (how the table shows it and how it is
    matched against the functions pymigrate compiled); `setup` runs once, `run` is timed."""

    label: str
    setup: str
    run: str


@dataclass(frozen=True)
class Spec:
    name: str
    version: str
    sha256: str
    import_name: str
    tests: str
    import_root: str = ""
    setup: str = ""
    run: str = ""
    runtime_deps: tuple[str, ...] = ()
    trace: str = ""
    tables: tuple[str, ...] = ()   # glob patterns of data-only modules Cython and mypyc leave as Python
    hot: tuple[Hot, ...] = ()
    trace_budget: float = 900.0
    exclude: tuple[str, ...] = field(default=("tests/", "test_", "conftest.py"))

    @property
    def sdist(self) -> str:
        return f"{self.name}-{self.version}.tar.gz"


_IDNA_LABELS = "labels = ['bücher', 'ドメイン', 'straße', 'пример', 'example', 'a' * 60] * 20\n"
_TOOLZ_XS = "xs = list(range(20000))\nys = [x % 997 for x in xs]\n"
_CHARDET_BLOBS = ("latin = ('Ünïcödé tëxt, façade, naïve café. ' * 40).encode('latin-1')\n"
                  "utf8 = ('Ünïcödé tëxt, façade, naïve café. ' * 40).encode('utf-8')\n"
                  "cyrillic = ('Привет, мир! Это проверка. ' * 40).encode('koi8-r')\n"
                  "sjis = ('こんにちは世界、テストです。' * 40).encode('shift_jis')\n")

PYTEST = "{python} -m pytest -q -p no:cacheprovider -p no:randomly -o addopts="

SPECS: dict[str, Spec] = {s.name: s for s in (
    Spec("idna", "3.10", "12f65c9b470abda6dc35cf8e63cc574b1c52b11df2c86030af0ac09b01b13ea9", "idna",
         f"{PYTEST} tests", tables=("uts46data.py", "idnadata.py", "package_data.py"),
         setup="import idna\nlabels = ['xn--d1acufc', 'example', 'bücher', 'ドメイン', 'straße', 'пример', 'a' * 60] * 40",
         run="result = [idna.encode(l) for l in labels] + [idna.decode(idna.encode(l)) for l in labels]",
         hot=(Hot("idna.intranges.intranges_contain",
                  "from idna.intranges import intranges_contain\nfrom idna.idnadata import codepoint_classes\n"
                  "ranges = codepoint_classes['PVALID']\ncps = [ord(c) for c in 'bücherドメインstraßeпример-example' * 30]",
                  "result = [intranges_contain(c, ranges) for c in cps].count(True)"),
              Hot("idna.core.check_label", _IDNA_LABELS + "from idna.core import check_label",
                  "result = [check_label(label) for label in labels]"),
              Hot("idna.core.check_bidi", _IDNA_LABELS + "from idna.core import check_bidi",
                  "result = [check_bidi(label) for label in labels]"),
              Hot("idna.core.encode", _IDNA_LABELS + "from idna.core import encode",
                  "result = [encode(label) for label in labels]"))),
    Spec("toolz", "0.12.1", "ecca342664893f177a13dac0e6b41cbd8ac25a358e5f215316d43e2100224f4d", "toolz",
         f"{PYTEST} toolz/tests",
         setup="import toolz\nxs = list(range(20000))",
         run="result = (toolz.frequencies(x % 97 for x in xs), list(toolz.partition_all(7, xs))[-1],\n"
             "          toolz.groupby(lambda x: x % 13, xs)[5][:5], list(toolz.sliding_window(3, xs[:3000]))[-1],\n"
             "          list(toolz.unique(x % 1000 for x in xs))[-3:], toolz.reduce(lambda a, b: a + b, xs))",
         hot=(Hot("toolz.itertoolz.groupby", _TOOLZ_XS + "from toolz.itertoolz import groupby\nkey = lambda x: x % 13",
                  "result = groupby(key, xs)[5][:5]"),
              Hot("toolz.itertoolz.frequencies", _TOOLZ_XS + "from toolz.itertoolz import frequencies",
                  "result = frequencies(ys)[5]"),
              Hot("toolz.itertoolz.unique", _TOOLZ_XS + "from toolz.itertoolz import unique",
                  "result = list(unique(ys))[-3:]"),
              Hot("toolz.itertoolz.partition_all", _TOOLZ_XS + "from toolz.itertoolz import partition_all",
                  "result = list(partition_all(7, xs))[-1]"),
              Hot("toolz.itertoolz.sliding_window", _TOOLZ_XS + "from toolz.itertoolz import sliding_window",
                  "result = list(sliding_window(3, xs))[-1]"))),
    Spec("chardet", "5.2.0", "1b3b6ff479a8c414bc3fa2c0852995695c4a026dcd6d0633b2dd092ca39c1cf7", "chardet",
         f"{PYTEST} test.py -k 'not detect_all_and_detect_one'",
         trace=f"{PYTEST} test.py -k 'test_encoding_detection and not legacy and (KOI8 or SHIFT_JIS or utf-8 or "
               "windows-1252 or EUC-KR or windows-1255 or iso-8859-7)'",
         tables=("lang*model.py", "*freq.py", "mbcssm.py", "escsm.py", "codingstatemachinedict.py",
                 "resultdict.py", "enums.py", "version.py", "metadata/languages.py"),
         setup="import chardet\ntexts = ['Ünïcödé tëxt, façade, naïve café. ' * 40, 'Привет, мир! Это проверка. ' * 40,\n"
               "         'こんにちは世界、テストです。' * 40]\n"
               "blobs = [texts[0].encode('latin-1'), texts[1].encode('koi8-r'), texts[1].encode('cp1251'),\n"
               "         texts[2].encode('shift_jis'), texts[2].encode('euc-jp'), texts[0].encode('utf-8')]",
         run="result = [chardet.detect(b) for b in blobs]",
         hot=(Hot("chardet.sbcharsetprober.SingleByteCharSetProber.feed",
                  _CHARDET_BLOBS + "from chardet.sbcsgroupprober import SBCSGroupProber",
                  "p = SBCSGroupProber()\np.feed(cyrillic)\nresult = (p.charset_name, round(p.get_confidence(), 6))"),
              Hot("chardet.sjisprober.SJISProber.feed", _CHARDET_BLOBS + "from chardet.sjisprober import SJISProber",
                  "p = SJISProber()\np.feed(sjis)\nresult = round(p.get_confidence(), 6)"),
              Hot("chardet.utf8prober.UTF8Prober.feed", _CHARDET_BLOBS + "from chardet.utf8prober import UTF8Prober",
                  "p = UTF8Prober()\np.feed(utf8)\nresult = round(p.get_confidence(), 6)"),
              Hot("chardet.charsetprober.CharSetProber.filter_international_words",
                  _CHARDET_BLOBS + "from chardet.charsetprober import CharSetProber",
                  "result = len(CharSetProber.filter_international_words(latin))"))),
    Spec("ecdsa", "0.19.0", "60eaad1199659900dd0af521ed462b793bbdf867432b3948e87416ae4caf6bf8", "ecdsa",
         f"{PYTEST} src/ecdsa/test_der.py src/ecdsa/test_numbertheory.py src/ecdsa/test_ellipticcurve.py "
         "src/ecdsa/test_ecdh.py src/ecdsa/test_curves.py src/ecdsa/test_keys.py",
         import_root="src", runtime_deps=("six",),
         setup="import ecdsa, hashlib\nsk = ecdsa.SigningKey.from_secret_exponent(123456789, curve=ecdsa.NIST256p,\n"
               "                                            hashfunc=hashlib.sha256)\nvk = sk.get_verifying_key()\n"
               "msgs = [b'message %d' % i for i in range(4)]",
         run="sigs = [sk.sign_deterministic(m) for m in msgs]\nresult = (sigs, [vk.verify(s, m) for s, m in zip(sigs, msgs)])",
         hot=(Hot("ecdsa.ellipticcurve.PointJacobi.__mul__",
                  "from ecdsa.curves import NIST256p\nfrom ecdsa.ellipticcurve import PointJacobi\n"
                  "g = NIST256p.generator\np = PointJacobi(g.curve(), g.x(), g.y(), 1)",
                  "result = (p * 0x1234567890ABCDEF1234567890ABCDEF).to_affine().x()"),
              Hot("ecdsa.numbertheory.jacobi", "from ecdsa.numbertheory import jacobi\nfrom ecdsa.curves import NIST256p\n"
                  "n = NIST256p.curve.p()",
                  "result = sum(jacobi(a, n) for a in range(1, 200))"),
              Hot("ecdsa.numbertheory.square_root_mod_prime",
                  "from ecdsa.numbertheory import square_root_mod_prime\nfrom ecdsa.curves import NIST256p\n"
                  "n = NIST256p.curve.p()",
                  "result = [square_root_mod_prime(a * a % n, n) for a in range(2, 40)]"))),
)}

FAST = "idna"
