// ESLint flat config for every TypeScript workspace (sdk, tests, migrations, and later keeper,
// agent, app). Type-aware rules that catch un-awaited promises run on the TypeScript sources.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

/** Imports that would pull Node-only code into the browser bundle of the sdk. */
const NODE_ONLY = [
  "node:*",
  "fs",
  "fs/*",
  "path",
  "os",
  "child_process",
  "net",
  "http",
  "https",
  "crypto",
  "@iogrid/sdk/node",
  "./node/*",
  "../node/*",
];

export default tseslint.config(
  {
    ignores: [
      "target/**",
      "**/node_modules/**",
      "**/dist/**",
      ".localnet/**",
      "programs/**",
      "localnet/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain JavaScript here is Node scripts and configs.
    files: ["**/*.{js,mjs,cjs}"],
    languageOptions: { globals: globals.node },
  },
  {
    files: ["**/*.ts"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/consistent-type-imports": [
        "error",
        { fixStyle: "separate-type-imports" },
      ],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      eqeqeq: ["error", "always"],
    },
  },
  {
    // The sdk's main entry is imported by the web app: no Node built-ins, no Node-only subpath.
    files: ["sdk/src/**/*.ts"],
    ignores: ["sdk/src/node/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: NODE_ONLY,
              message:
                "sdk/src is browser-safe; Node-only code belongs in sdk/src/node (@iogrid/sdk/node)",
            },
          ],
        },
      ],
    },
  },
  {
    // The web app runs in the browser: only the sdk's browser-safe entry, no Node built-ins.
    files: ["app/src/**/*.{ts,tsx}"],
    languageOptions: {
      globals: globals.browser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: NODE_ONLY,
              message:
                "the app is a browser bundle: import only @iogrid/sdk, never @iogrid/sdk/node",
            },
          ],
        },
      ],
    },
  },
  {
    // Tests use chai's property assertions (`expect(x).to.be.true`-style chains are expressions).
    files: ["tests/**/*.ts", "app/test/**/*.ts"],
    rules: { "@typescript-eslint/no-unused-expressions": "off" },
  },
);
