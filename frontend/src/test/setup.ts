import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

// Unmount what each test rendered (Testing Library only does this by itself
// when the test runner exposes globals).
afterEach(cleanup);
