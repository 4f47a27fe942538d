// ESLint flat config: Next.js' recommended rules (core web vitals, React,
// hooks, jsx-a11y) plus typescript-eslint's strictest type-aware preset.
import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypeScript from "eslint-config-next/typescript";
import tseslint from "typescript-eslint";

const config = [
  {
    ignores: [".next/**", "node_modules/**", "test-results/**", "next-env.d.ts", "src/api/schema.d.ts"],
  },
  ...nextCoreWebVitals,
  ...nextTypeScript,
  ...tseslint.configs.strictTypeChecked.map((entry) => ({
    ...entry,
    files: ["**/*.ts", "**/*.tsx"],
  })),
  {
    files: ["**/*.ts", "**/*.tsx"],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Template literals with numbers (`${count} items`) read naturally.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
    },
  },
];

export default config;
