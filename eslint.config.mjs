// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";
import boundaries from "./eslint/boundaries.mjs";

export default tseslint.config(
  { ignores: ["node_modules/**", "**/node_modules/**", "bin/**", "**/bin/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "eqeqeq": ["error", "always"],
    },
  },
  {
    // Which folder may import which (eslint/boundaries.mjs): a new dependency cycle fails `npm run lint`.
    files: ["**/*.ts"],
    plugins: { boundaries },
    rules: { "boundaries/allowed-imports": "error", "boundaries/no-cycle": "error" },
  },
  {
    // The Pulumi rules need type information; only the program builds Outputs, so only it pays for it.
    files: ["infra/**/*.ts"],
    plugins: { "@pulumi": pulumi },
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
    },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: { globals: { console: "readonly", process: "readonly" } },
  },
);
