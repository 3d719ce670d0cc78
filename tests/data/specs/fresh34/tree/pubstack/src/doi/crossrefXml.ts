export interface Contributor { given: string; family: string; orcid?: string; sequence: "first" | "additional" }
export interface ArticleMeta { doi: string; title: string; url: string; published: string; contributors: Contributor[] }

export function contributorXml(c: Contributor): string {
  // TODO: ORCID is accepted but never emitted
  return `<person_name sequence="${c.sequence}" contributor_role="author"><given_name>${c.given}</given_name><surname>${c.family}</surname></person_name>`;
}

export function journalArticleXml(m: ArticleMeta): string {
  const people = m.contributors.map(contributorXml).join("");
  return `<journal_article><titles><title>${m.title}</title></titles><contributors>${people}</contributors><doi_data><doi>${m.doi}</doi><resource>${m.url}</resource></doi_data></journal_article>`;
}
