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
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
    exclude: tuple[str, ...] = field(default=("tests/", "test_", "conftest.py"))

    @property
    def sdist(self) -> str:
        return f"{self.name}-{self.version}.tar.gz"


PYTEST = "{python} -m pytest -q -p no:cacheprovider -p no:randomly -o addopts="

SPECS: dict[str, Spec] = {s.name: s for s in (
    Spec("idna", "3.10", "12f65c9b470abda6dc35cf8e63cc574b1c52b11df2c86030af0ac09b01b13ea9", "idna",
         f"{PYTEST} tests", tables=("uts46data.py", "idnadata.py", "package_data.py"),
         setup="import idna\nlabels = ['xn--d1acufc', 'example', 'bücher', 'ドメイン', 'straße', 'пример', 'a' * 60] * 40",
         run="result = [idna.encode(l) for l in labels] + [idna.decode(idna.encode(l)) for l in labels]"),
    Spec("toolz", "0.12.1", "ecca342664893f177a13dac0e6b41cbd8ac25a358e5f215316d43e2100224f4d", "toolz",
         f"{PYTEST} toolz/tests",
         setup="import toolz\nxs = list(range(20000))",
         run="result = (toolz.frequencies(x % 97 for x in xs), list(toolz.partition_all(7, xs))[-1],\n"
             "          toolz.groupby(lambda x: x % 13, xs)[5][:5], list(toolz.sliding_window(3, xs[:3000]))[-1],\n"
             "          list(toolz.unique(x % 1000 for x in xs))[-3:], toolz.reduce(lambda a, b: a + b, xs))"),
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
         run="result = [chardet.detect(b) for b in blobs]"),
    Spec("ecdsa", "0.19.0", "60eaad1199659900dd0af521ed462b793bbdf867432b3948e87416ae4caf6bf8", "ecdsa",
         f"{PYTEST} src/ecdsa/test_der.py src/ecdsa/test_numbertheory.py src/ecdsa/test_ellipticcurve.py "
         "src/ecdsa/test_ecdh.py src/ecdsa/test_curves.py src/ecdsa/test_keys.py",
         import_root="src", runtime_deps=("six",),
         setup="import ecdsa, hashlib\nsk = ecdsa.SigningKey.from_secret_exponent(123456789, curve=ecdsa.NIST256p,\n"
               "                                            hashfunc=hashlib.sha256)\nvk = sk.get_verifying_key()\n"
               "msgs = [b'message %d' % i for i in range(4)]",
         run="sigs = [sk.sign_deterministic(m) for m in msgs]\nresult = (sigs, [vk.verify(s, m) for s, m in zip(sigs, msgs)])"),
)}

FAST = "idna"
