/**
 * The file extensions a path may end in for each content type users can be allowed to upload. A
 * path must say what it holds: `cat.jpg` declared as `video/mp4` is refused before anything is
 * signed, so a file's name never lies to the apps and viewers that open it later. An allowed
 * content type missing from this table stops the function at start (see `loadUploadsConfig` in functions/uploads/config.ts).
 */
export const EXTENSIONS: Readonly<Record<string, readonly string[]>> = {
  "image/jpeg": ["jpg", "jpeg"],
  "image/png": ["png"],
  "image/gif": ["gif"],
  "image/webp": ["webp"],
  "image/heic": ["heic"],
  "image/heif": ["heif"],
  "image/avif": ["avif"],
  "video/mp4": ["mp4", "m4v"],
  "video/quicktime": ["mov"],
  "video/webm": ["webm"],
  "video/3gpp": ["3gp"],
  "audio/mpeg": ["mp3"],
  "audio/mp4": ["m4a"],
  "audio/aac": ["aac"],
  "audio/ogg": ["ogg", "oga"],
  "audio/wav": ["wav"],
  "application/pdf": ["pdf"],
  "application/zip": ["zip"],
  "application/json": ["json"],
  "text/plain": ["txt"],
  "text/csv": ["csv"],
};

/** The extension of a path's last segment, lowercased, or "" when it has none. */
export function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? "" : name.slice(dot + 1).toLowerCase();
}

/** The extensions `contentType` allows, or undefined when the table does not know the type. */
export function extensionsFor(contentType: string): readonly string[] | undefined {
  return Object.hasOwn(EXTENSIONS, contentType) ? EXTENSIONS[contentType] : undefined;
}

/**
 * The extension rule both upload routes apply (presigned and proxied): a path's extension must be
 * one its declared content type allows, so `cat.jpg` is never stored as `application/pdf`. Returns
 * the sentence to answer with, or undefined when the path is fine.
 */
export function extensionMismatch(path: string, contentType: string): string | undefined {
  const allowed = extensionsFor(contentType) ?? [];
  if (allowed.includes(extensionOf(path))) {
    return undefined;
  }
  const shown = JSON.stringify(path.length > 64 ? `${path.slice(0, 64)}…` : path);
  return `A ${contentType} file's path must end in ${allowed.map((e) => `.${e}`).join(" or ")}; rename ${shown} or declare its real type.`;
}
