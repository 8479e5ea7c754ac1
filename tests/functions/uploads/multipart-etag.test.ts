import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { multipartEtag } from "../../../functions/uploads/multipart-etag";

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

describe("functions/uploads/multipart-etag", () => {
  it("is the MD5 of the parts' binary MD5s, then the part count, quoted as S3 answers it", () => {
    const parts = [md5("a"), md5("b"), md5("c")];
    const expected = createHash("md5")
      .update(Buffer.concat(parts.map((p) => Buffer.from(p, "hex"))))
      .digest("hex");
    assert.equal(multipartEtag(parts.map((p) => `"${p}"`)), `"${expected}-3"`);
    assert.equal(multipartEtag(parts), `"${expected}-3"`, "quotes are optional on the way in");
  });

  for (const [name, etags] of [
    ["no parts", []],
    ["a part whose ETag is not an MD5 (SSE-KMS)", [`"${md5("a")}"`, '"not-an-md5"']],
    ["an empty part ETag", [""]],
    ["an uppercase digest (not what S3 answers)", [`"${md5("a").toUpperCase()}"`]],
  ] as const) {
    it(`gives up on ${name}, so the caller reads the ETag back`, () => {
      assert.equal(multipartEtag(etags), undefined);
    });
  }
});
