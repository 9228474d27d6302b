// Types of bin/build.js for the TypeScript that imports it (the test suite's global setup).
export declare function isFresh(): boolean;
export declare function build(options?: { force?: boolean }): Promise<boolean>;
