// Entry point for `pulumi up` (Pulumi.yaml `main`). Only wiring lives here; see program.ts.
import { program } from "./program";

export = program();
