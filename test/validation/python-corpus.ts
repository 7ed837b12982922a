// A corpus of Python sources and CPython's verdict on each (does `ast.parse` accept it?), for the
// python/code validators' syntax check. `since` marks syntax new in that Python version (the check
// runs CPython 3.14 through Pyodide); the cross-check with a local python3 skips cases newer than it.

export type PythonCase = { name: string; source: string; valid: boolean; since?: [number, number] };

export const PYTHON_CORPUS: PythonCase[] = [
  // Accepted
  { name: "assignment", source: "x = 1\n", valid: true },
  { name: "only a comment", source: "# nothing here\n", valid: true },
  {
    name: "parameters of every kind",
    source: "def f(a, /, b=1, *args, c, **kw):\n    return a\n",
    valid: true,
  },
  {
    name: "async constructs",
    source:
      "async def f():\n    await g()\n    async for x in y:\n        pass\n    async with z as w:\n        pass\n",
    valid: true,
  },
  {
    name: "class with decorators",
    source: "@dataclass\nclass A(B, metaclass=M):\n    x: int = 0\n",
    valid: true,
  },
  {
    name: "match statement",
    source: "match cmd:\n    case [x, y]:\n        pass\n    case _:\n        pass\n",
    valid: true,
  },
  { name: "comprehension", source: "x = [i for i in range(3) if i]\n", valid: true },
  { name: "walrus", source: "if (n := len(a)) > 5:\n    pass\n", valid: true },
  { name: "f-string with a nested format spec", source: "s = f'{x!r:>{width}}'\n", valid: true },
  { name: "number literals", source: "x = 0x1F + 0o17 + 0b1010 + 1_000 + 1e-3 + 2j\n", valid: true },
  { name: "imports", source: "import a.b as c\nfrom . import d\nfrom ..e import (f, g)\n", valid: true },
  {
    name: "raise from, assert, del",
    source: "raise X from Y\nassert x, 'msg'\ndel a, b[0], c.d\n",
    valid: true,
  },
  { name: "except*", source: "try:\n    pass\nexcept* ValueError:\n    pass\n", valid: true },
  { name: "triple-quoted string", source: "x = '''multi\nline'''\n", valid: true },
  { name: "semicolons", source: "a = 1; b = 2\n", valid: true },
  { name: "tabs used consistently", source: "if x:\n\ta = 1\n\tb = 2\n", valid: true },
  { name: "no final newline", source: "x = 1", valid: true },
  { name: "CRLF line ends", source: "if x:\r\n    y = 1\r\n", valid: true },
  // Accepted by ast.parse, refused only later by the compiler: not syntax errors
  { name: "return outside a function", source: "return 1\n", valid: true },
  { name: "break outside a loop", source: "break\n", valid: true },
  { name: "await at module level", source: "await x\n", valid: true },
  { name: "a starred target alone", source: "*a = 1\n", valid: true },
  // Refused
  { name: "assignment to a literal", source: "1 = x\n", valid: false },
  { name: "assignment to a call", source: "f() = 1\n", valid: false },
  { name: "assignment to True", source: "True = 1\n", valid: false },
  { name: "unindent that matches no outer level", source: "if x:\n    a = 1\n  b = 2\n", valid: false },
  { name: "tabs mixed with spaces", source: "if x:\n\ta = 1\n        b = 2\n", valid: false },
  { name: "unexpected indent", source: "x = 1\n  y = 2\n", valid: false },
  { name: "missing indented block", source: "def f():\nreturn 1\n", valid: false },
  { name: "Python 2 print", source: "print 'x'\n", valid: false },
  { name: "Python 2 exec", source: "exec 'code'\n", valid: false },
  { name: "non-default after default parameter", source: "def f(a=1, b):\n    pass\n", valid: false },
  { name: "unparenthesized generator argument", source: "f(x for x in y, 1)\n", valid: false },
  { name: "unclosed bracket", source: "x = (1,\n", valid: false },
  { name: "unclosed list before the next line", source: "x = [1, 2\ny = 3\n", valid: false },
  { name: "missing colon", source: "for i in range(3)\n    print(i)\n", valid: false },
  { name: "class without colon", source: "class A\n    pass\n", valid: false },
  { name: "bad parameter list", source: "def f(:\n    pass\n", valid: false },
  { name: "dangling operator", source: "a +\n", valid: false },
  { name: "invalid decimal literal", source: "x = 1abc\n", valid: false },
  { name: "unterminated string", source: "x = 'abc\n", valid: false },
  { name: "bare import", source: "import\n", valid: false },
  { name: "===", source: "x === 1\n", valid: false },
  { name: "augmented assignment to a tuple", source: "a, b += 1\n", valid: false },
  { name: "delete a literal", source: "del 1\n", valid: false },
  { name: "** before *", source: "def f(**k, *a):\n    pass\n", valid: false },
  { name: "else without if", source: "else:\n    pass\n", valid: false },
  { name: "broken f-string", source: "print(f'{')\n", valid: false },
  { name: "null byte", source: "a = 1\u0000\n", valid: false },
  // Newer syntax: valid in the checker's Python
  { name: "type alias statement", source: "type Point = tuple[float, float]\n", valid: true, since: [3, 12] },
  {
    name: "generic function",
    source: "def first[T](xs: list[T]) -> T:\n    return xs[0]\n",
    valid: true,
    since: [3, 12],
  },
  { name: "f-string reusing its quotes", source: "s = f'{'a'}'\n", valid: true, since: [3, 12] },
  {
    name: "except without parentheses",
    source: "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n",
    valid: true,
    since: [3, 14],
  },
];
