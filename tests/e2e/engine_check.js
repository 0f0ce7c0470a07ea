// What the oldest engines the owner's pages support (Chromium 80, Safari 14.1; README, "Phones
// and browsers") cannot run, found in a script's source with acorn (loaded before this file).
// checkScript({name, source, kind}) returns a list of faults, each naming the file and line.
// kind: "classic" (ES5, any engine runs it), "module" (ES2020) or "vendored" (a pinned module
// whose only newer syntax may be public class fields: Chromium 72, Safari 14.1).

// Methods (when called) and globals newer than Chromium 80 or Safari 14.1, with the first versions that have them.
const NEWER_METHODS = new Map(Object.entries({
  at: "Chromium 92, Safari 15.4", replaceAll: "Chromium 85, Safari 13.1", hasOwn: "Chromium 93, Safari 15.4",
  findLast: "Chromium 97, Safari 15.4", findLastIndex: "Chromium 97, Safari 15.4", toSorted: "Chromium 110",
  toReversed: "Chromium 110", toSpliced: "Chromium 110", groupBy: "Chromium 117", any: "Chromium 85",
  replaceChildren: "Chromium 86, Safari 14", randomUUID: "Chromium 92, Safari 15.4",
  withResolvers: "Chromium 119", fromAsync: "Chromium 121", isWellFormed: "Chromium 111",
  timeout: "AbortSignal.timeout: Chromium 103", showPicker: "Chromium 99",
}));
const NEWER_GLOBALS = new Map(Object.entries({
  structuredClone: "Chromium 98, Safari 15.4", WeakRef: "Chromium 84, Safari 14.1",
  FinalizationRegistry: "Chromium 84, Safari 14.1", AggregateError: "Chromium 85, Safari 14",
}));
const LOGICAL_ASSIGNMENT = new Set(["||=", "&&=", "??="]);
const FUNCTIONS = new Set(["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"]);

function visit(node, inFunction, report) {
  if (!node || typeof node.type !== "string") return;
  switch (node.type) {
    case "PrivateIdentifier":
      report(node, "private class member (#name): Chromium 84 for methods, Safari 15");
      break;
    case "StaticBlock":
      report(node, "class static block: Chromium 94, Safari 16.4");
      break;
    case "AssignmentExpression":
      if (LOGICAL_ASSIGNMENT.has(node.operator)) report(node, `${node.operator}: Chromium 85, Safari 14`);
      break;
    case "AwaitExpression":
      if (!inFunction) report(node, "top-level await: Chromium 89, Safari 15");
      break;
    case "CallExpression": {
      // Called, not merely read: a parser's own `this.at` is no Array.prototype.at.
      const callee = node.callee.type === "ChainExpression" ? node.callee.expression : node.callee;
      if (callee.type === "MemberExpression" && !callee.computed && NEWER_METHODS.has(callee.property.name)) {
        report(node, `.${callee.property.name}(): ${NEWER_METHODS.get(callee.property.name)}`);
      }
      break;
    }
    case "Identifier":
      if (NEWER_GLOBALS.has(node.name)) report(node, `${node.name}: ${NEWER_GLOBALS.get(node.name)}`);
      break;
    case "Literal":
      if (typeof node.value === "number" && node.raw.includes("_")) report(node, "numeric separator: Chromium 75, Safari 13");
      if (node.regex && /\(\?<[=!]/.test(node.regex.pattern)) report(node, "regular expression lookbehind: Safari 16.4");
      if (node.regex && /[dv]/.test(node.regex.flags)) report(node, `regular expression flag: Chromium 90, Safari 15`);
      break;
  }
  const inside = inFunction || FUNCTIONS.has(node.type);
  for (const key of Object.keys(node)) {
    const child = node[key];
    if (Array.isArray(child)) child.forEach((item) => visit(item, inside, report));
    else if (child && typeof child.type === "string") visit(child, inside, report);
  }
}

function checkScript({ name, source, kind }) {
  const faults = [];
  const options = { locations: true, sourceType: kind === "classic" ? "script" : "module" };
  const parse = (ecmaVersion) => acorn.parse(source, { ...options, ecmaVersion });
  let tree;
  try {
    tree = parse({ classic: 5, module: 2020, vendored: 2022 }[kind]);
  } catch (error) {
    return [`${name}: does not parse as ${kind === "classic" ? "ES5" : "ES2020"}: ${error.message}`];
  }
  visit(tree, false, (node, what) => faults.push(`${name}:${node.loc.start.line}: ${what}`));
  return faults;
}
