import type { ArticleMeta } from "../doi/crossrefXml";

export function ArticleHeader({ meta }: { meta: ArticleMeta }) {
  return (
    <header className="article-header">
      <h1>{meta.title}</h1>
      <ul className="authors">
        {meta.contributors.map((c) => (
          <li key={c.family + c.given}>{c.given} {c.family}</li>
        ))}
      </ul>
      <a href={`https://doi.org/${meta.doi}`}>https://doi.org/{meta.doi}</a>
    </header>
  );
}
