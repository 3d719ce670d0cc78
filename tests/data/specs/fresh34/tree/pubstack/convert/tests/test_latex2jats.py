from convert.latex2jats import convert

def test_emph():
    assert convert(r"\emph{in vitro}") == "<italic>in vitro</italic>"

def test_single_cite():
    assert convert(r"see \cite{smith2020}") == 'see <xref ref-type="bibr" rid="smith2020"/>'
