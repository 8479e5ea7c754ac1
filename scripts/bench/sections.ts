import { type Bench, type BenchReport } from "./types";

/** The sections, in the order they run and print. */
export const SECTION_NAMES = ["program", "policy", "presign", "upload", "lambda", "index"] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

export interface Section<J> {
  name: SectionName;
  /**
   * Loaded only when the section runs: a module that fails to load (or pulls in a heavy SDK) costs
   * the sections that do not use it nothing, and becomes that section's failure, not the run's.
   */
  load: () => Promise<Bench<J>>;
}

type SectionJson = { [K in SectionName]: BenchReport[K] };

export const SECTIONS: { [K in SectionName]: Section<SectionJson[K]> } = {
  program: { name: "program", load: async () => (await import("./program")).benchProgram },
  policy: { name: "policy", load: async () => (await import("./policy")).benchPolicy },
  presign: { name: "presign", load: async () => (await import("./presign")).benchPresign },
  upload: { name: "upload", load: async () => (await import("./upload")).benchUpload },
  lambda: { name: "lambda", load: async () => (await import("./lambda")).benchLambda },
  index: { name: "index", load: async () => (await import("./index")).benchIndex },
};
