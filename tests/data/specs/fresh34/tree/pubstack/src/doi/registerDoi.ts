import { journalArticleXml, ArticleMeta } from "./crossrefXml";

const ENDPOINT = process.env.CROSSREF_ENDPOINT ?? "https://test.crossref.org/servlet/deposit";

export async function registerDoi(meta: ArticleMeta, fetchImpl: typeof fetch = fetch): Promise<string> {
  const body = new FormData();
  body.append("operation", "doMDUpload");
  body.append("login_id", process.env.CROSSREF_USER ?? "");
  body.append("login_passwd", process.env.CROSSREF_PASS ?? "");
  body.append("fname", new Blob([journalArticleXml(meta)]), `${meta.doi.replace("/", "_")}.xml`);
  const res = await fetchImpl(ENDPOINT, { method: "POST", body });
  if (!res.ok) throw new Error(`Crossref deposit failed: ${res.status}`);
  return res.text(); // no retry yet; 503s during Crossref maintenance just fail
}
