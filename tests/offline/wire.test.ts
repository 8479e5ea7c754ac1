import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { display, plain } from "../../offline/wire";

const { specialSigKey, specialSecretSig, specialResourceSig, unknownValue } = pulumi.runtime;
const secret = (value: unknown) => ({ [specialSigKey]: specialSecretSig, value });

describe("offline/wire", () => {
  const wire = {
    name: "bucket",
    password: secret("hunter2"),
    nested: { list: [secret({ deep: 1 }), unknownValue], id: unknownValue },
    ref: { [specialSigKey]: specialResourceSig, urn: "urn:pulumi:dev::p::t::n", id: "x" },
  };

  it("displays secrets as [secret] and unknowns as [unknown], never the secret", () => {
    const shown = display(wire);
    assert.deepEqual(shown, {
      name: "bucket",
      password: "[secret]",
      nested: { list: ["[secret]", "[unknown]"], id: "[unknown]" },
      ref: "urn:pulumi:dev::p::t::n",
    });
    assert.equal(JSON.stringify(shown).includes("hunter2"), false);
  });

  it("unwraps secrets and drops unknowns for assertions", () => {
    assert.deepEqual(plain(wire), {
      name: "bucket",
      password: "hunter2",
      nested: { list: [{ deep: 1 }, undefined], id: undefined },
      ref: "urn:pulumi:dev::p::t::n",
    });
  });
});
