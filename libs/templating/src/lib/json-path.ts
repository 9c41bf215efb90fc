export type JsonPath = readonly (string | number)[];

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A location in a JSON document as JSONPath text: `$`, `$.properties.email`, `$.items[0]["a key"]`. */
export function formatJsonPath(path: JsonPath): string {
  let text = '$';
  for (const step of path) {
    if (typeof step === 'number') text += `[${step}]`;
    else if (identifier.test(step)) text += '.' + step;
    else text += `[${JSON.stringify(step)}]`;
  }
  return text;
}
