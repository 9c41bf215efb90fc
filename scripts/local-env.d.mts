// What the TypeScript harnesses (test/bench, test/faults) take from local-env.mjs.
export declare const SERVICE_NODE_OPTIONS: readonly string[];
export declare const SERVICE_V8_FLAGS: readonly string[];
export declare const SERVICE_NODE_FLAGS: readonly string[];
export declare const SERVICE_OWN_FLAGS: Readonly<Record<string, readonly string[]>>;
export declare function serviceNodeFlags(name: string): string[];
