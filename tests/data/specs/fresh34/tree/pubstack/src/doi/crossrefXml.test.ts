import { describe, it, expect } from "vitest";
import { contributorXml } from "./crossrefXml";

describe("contributorXml", () => {
  it("emits given and family names", () => {
    const xml = contributorXml({ given: "Adaeze", family: "Okonjo", sequence: "first" });
    expect(xml).toContain("<surname>Okonjo</surname>");
  });
});
