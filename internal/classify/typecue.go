package classify

// Aspiration cues: the ways a worker asks for something to change rather than
// reports a wrong done ("usul", "harapan kami", "mohon diadakan", "semoga").
// The type model alone misses most aspirations because complaints outnumber
// them in every training set; a cue lets a suggestion be read as one.
var aspirationCues = compilePhrases(
	"usul|usulan|usulkan|mengusulkan|diusulkan|saran|menyarankan|berharap|harapan kami|harapannya|harapan saya|" +
		"semoga|sebaiknya|alangkah baiknya|akan lebih baik|lebih baik kalau|lebih baik jika|bagaimana kalau|gimana kalau|" +
		"mohon diadakan|mohon disediakan|mohon dibuatkan|mohon ditambah|mohon dipertimbangkan|mohon serikat|" +
		"tolong serikat|minta serikat|kami minta perusahaan|kami mohon perusahaan|mohon perusahaan|" +
		"memperjuangkan|perjuangkan|diperjuangkan|aspirasi|ke depannya|kedepannya|" +
		"kami ingin ada|ingin ada|pengen ada|pingin ada|mau usul|kalau bisa|jika memungkinkan|" +
		"propose|suggest|suggestion|we hope|hopefully|would like")

func compilePhrases(alts string) [][]string {
	return rule("", "", alts).clauses[0]
}

func hasAnyExact(toks []string, phrases [][]string) bool {
	for _, p := range phrases {
		if hasExact(toks, p) {
			return true
		}
	}
	return false
}

// pickType is the predicted intake type of a text whose type is unknown.
func (b *Builtin) pickType(x sparse, toks []string) string {
	if b.typ == nil || len(b.typ.Classes) == 0 {
		return "complaint"
	}
	p := b.typ.probs(x)
	best := 0
	for i := range p {
		if p[i] > p[best] {
			best = i
		}
	}
	if b.typ.Classes[best] == "complaint" && hasAnyExact(toks, aspirationCues) {
		for i, c := range b.typ.Classes {
			if c == "complaint" && p[i] < typeCueMax {
				return "aspiration"
			}
		}
	}
	return b.typ.Classes[best]
}

// typeCueMax: a cue turns a complaint into an aspiration unless the type
// model is at least this sure of the complaint. Cross-validated type
// accuracy on the own texts: no cue 0.913, 0.8 → 0.938, 0.9 → 0.945,
// 0.95 → 0.949, always (above 1) → 0.953.
var typeCueMax = 1.01
