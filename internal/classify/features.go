package classify

import (
	"math"
	"sort"
	"strings"
)

// featureOptions selects the feature groups; the defaults are what measured
// best under 5-fold cross-validation on the own texts (selection_test.go,
// docs/classifier-measurements.md).
type featureOptions struct {
	Bigrams    bool
	Stems      bool
	CharMin    int // 0 disables character n-grams
	CharMax    int
	CharWeight float64 // scale of the char group against the word group
	// Cues adds one word feature per default tag whose cue phrases occur
	// (tagcues.go) and per life-and-limb rule that matches (urgency.go).
	Cues bool
	// Keywords adds one word feature per default category whose taxonomy
	// keywords occur.
	Keywords bool
	// CueCount is the term count each cue or keyword feature gets (its
	// weight before TF-IDF's sublinear scaling).
	CueCount int
}

// Cue and keyword features (round 4, n=971 CV): macro-F1 0.784 → 0.812,
// urgency 0.818 → 0.823, critical precision 0.932 → 0.939 at recall 0.976;
// CueCount 2/4/8 gave macro 0.825/0.816/0.819 but critical recall 0.968.
// Word bigrams off since round 5: with the tags' category vote
// (builtin.go) CV macro-F1 0.823 → 0.838, tag 0.756 → 0.766, urgency
// 0.827 → 0.822; on two other fold splits macro +0.001/+0.007, urgency
// +0.012/+0.002, tag +0.007/+0.007. TestModelSelection flagged it.
var defaultFeatureOptions = featureOptions{Bigrams: false, Stems: true, CharMin: 3, CharMax: 5, CharWeight: 1, Cues: true, Keywords: true, CueCount: 1}

// entry is one non-zero coordinate of a sparse vector.
type entry struct {
	I int32
	V float32
}

type sparse []entry

// rawFeatures are a text's feature strings with counts, split in a word
// group (unigrams, bigrams, stems) and a character group.
type rawFeatures struct {
	words map[string]int
	chars map[string]int
}

func extract(text string, o featureOptions) rawFeatures {
	toks := normalizeText(text)
	rf := rawFeatures{words: make(map[string]int, 3*len(toks)), chars: make(map[string]int, 12*len(toks))}
	for i, t := range toks {
		rf.words["w:"+t]++
		if o.Stems {
			if s := stem(t); s != t {
				rf.words["s:"+s]++
			}
		}
		if o.Bigrams && i > 0 {
			rf.words["b:"+toks[i-1]+"_"+t]++
		}
		if o.CharMin > 0 {
			rs := []rune("<" + t + ">")
			for n := o.CharMin; n <= o.CharMax; n++ {
				for j := 0; j+n <= len(rs); j++ {
					rf.chars[string(rs[j:j+n])]++
				}
			}
		}
	}
	if o.Cues {
		for _, t := range cueTagOrder {
			if tagCued(toks, t) {
				rf.words["t:"+t] += o.CueCount
			}
		}
		rt, present := ruleTokens(toks)
		for _, r := range urgencyRules {
			if r.match(rt, present) {
				rf.words["r:"+r.Name] += o.CueCount
			}
		}
	}
	if o.Keywords {
		stems := make([]string, len(toks))
		for i, t := range toks {
			stems[i] = stem(t)
		}
		for _, c := range defaultCatPhrases {
			for _, p := range c.phrases {
				if hasStemmedPhrase(toks, stems, p) {
					rf.words["k:"+c.slug] += o.CueCount
					break
				}
			}
		}
	}
	return rf
}

// cueTagOrder lists the cued tags in a fixed order; defaultCats is the
// default taxonomy (feature extraction reads their keywords).
var (
	cueTagOrder = func() []string {
		out := make([]string, 0, len(tagCues))
		for t := range tagCues {
			out = append(out, t)
		}
		sort.Strings(out)
		return out
	}()
	// defaultCatPhrases are the default categories' names and keywords,
	// normalised once (keywordHits normalises them on every call).
	defaultCatPhrases = func() []catPhrases {
		var out []catPhrases
		for _, c := range DefaultCategories() {
			cp := catPhrases{slug: c.Slug}
			for _, kw := range append([]string{c.NameID, c.NameEN}, c.Keywords...) {
				if p := normPhrase(kw); len(p) > 0 {
					sp := make([]string, len(p))
					for i, w := range p {
						sp[i] = stem(w)
					}
					cp.phrases = append(cp.phrases, stemmedPhrase{p, sp})
				}
			}
			out = append(out, cp)
		}
		return out
	}()
)

type stemmedPhrase struct{ words, stems []string }

type catPhrases struct {
	slug    string
	phrases []stemmedPhrase
}

// hasStemmedPhrase is hasPhrase with the stems of toks and of the phrase
// computed once.
func hasStemmedPhrase(toks, stems []string, p stemmedPhrase) bool {
outer:
	for i := 0; i+len(p.words) <= len(toks); i++ {
		for j := range p.words {
			if toks[i+j] != p.words[j] && stems[i+j] != p.stems[j] {
				continue outer
			}
		}
		return true
	}
	return false
}

// vectorizer maps feature strings to columns with TF-IDF weights.
type vectorizer struct {
	opts  featureOptions
	index map[string]int32
	idf   []float32
	nWord int32 // columns [0,nWord) are word features, the rest char features
	// names[i] is the feature string of word column i (for reasons).
	names []string
}

// fitVectorizer builds the vocabulary from the training documents. Column
// order is sorted feature order so that training is deterministic.
func fitVectorizer(docs []rawFeatures, o featureOptions) *vectorizer {
	wdf, cdf := map[string]int{}, map[string]int{}
	for _, d := range docs {
		for f := range d.words {
			wdf[f]++
		}
		for f := range d.chars {
			cdf[f]++
		}
	}
	v := &vectorizer{opts: o, index: make(map[string]int32, len(wdf)+len(cdf))}
	n := float64(len(docs))
	add := func(df map[string]int, prefix string) {
		keys := make([]string, 0, len(df))
		for k := range df {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v.index[prefix+k] = int32(len(v.idf))
			if prefix == "" {
				v.names = append(v.names, k)
			}
			v.idf = append(v.idf, float32(math.Log((1+n)/(1+float64(df[k])))+1))
		}
	}
	add(wdf, "")
	v.nWord = int32(len(v.idf))
	add(cdf, "c:")
	return v
}

func (v *vectorizer) dim() int { return len(v.idf) }

// transform weights a document's features: sublinear TF times IDF, each
// group L2-normalised so that long texts and many char n-grams do not drown
// the word evidence.
func (v *vectorizer) transform(rf rawFeatures) sparse {
	out := make(sparse, 0, len(rf.words)+len(rf.chars))
	group := func(m map[string]int, prefix string, scale float64) {
		start := len(out)
		var norm float64
		for f, c := range m {
			i, ok := v.index[prefix+f]
			if !ok {
				continue
			}
			w := (1 + math.Log(float64(c))) * float64(v.idf[i])
			out = append(out, entry{I: i, V: float32(w)})
			norm += w * w
		}
		if norm == 0 {
			return
		}
		k := scale / math.Sqrt(norm)
		for j := start; j < len(out); j++ {
			out[j].V = float32(float64(out[j].V) * k)
		}
	}
	group(rf.words, "", 1)
	if v.opts.CharMin > 0 {
		group(rf.chars, "c:", v.opts.CharWeight)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].I < out[b].I })
	return out
}

// wordOnly keeps the word-group columns of x (used by the tag models, whose
// size would otherwise grow with the char vocabulary).
func (v *vectorizer) wordOnly(x sparse) sparse {
	n := sort.Search(len(x), func(i int) bool { return x[i].I >= v.nWord })
	return x[:n]
}

// hasPhrase reports whether the normalised tokens contain phrase (already
// normalised, space separated) as a contiguous run.
func hasPhrase(toks []string, phrase []string) bool {
	if len(phrase) == 0 {
		return false
	}
outer:
	for i := 0; i+len(phrase) <= len(toks); i++ {
		for j, p := range phrase {
			if toks[i+j] != p && stem(toks[i+j]) != stem(p) {
				continue outer
			}
		}
		return true
	}
	return false
}

func normPhrase(s string) []string {
	return normalizeText(strings.ReplaceAll(s, "_", " "))
}
