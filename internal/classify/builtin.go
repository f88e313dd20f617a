package classify

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"sort"
	"strings"
	"time"
)

// BuiltinModelName is the Model of every Result the built-in classifier gives.
const BuiltinModelName = "builtin"

// builtinFormat versions the feature and model code; it is part of every
// Version so that stored suggestions say which code produced them ("lr2":
// cue, rule and keyword features, round 4; "lr3": the tags' category vote
// and the tag models' larger step, round 5).
const builtinFormat = "lr3"

// Weights of the training sources. Officers' confirmed labels are the
// tenant's own ground truth and count more than the generic base set.
const (
	weightBase      = 1.0
	weightConfirmed = 3.0
	weightTaxonomy  = 1.0
)

// Builtin is a pure-Go classifier: TF-IDF word and character n-grams over
// normalised Indonesian, multinomial logistic regression for category,
// urgency and type, and one-vs-rest logistic models for tags. A trained
// Builtin is immutable and safe for concurrent use.
type Builtin struct {
	version  string
	vec      *vectorizer
	cat      *softmax
	urg      *softmax
	typ      *softmax
	tagNames []string
	tagIndex map[string]int
	tags     []logit
	// tagGivenCat[c][t] = P(tag t | category c) in training, smoothed; it
	// nudges tag choice towards tags that go with the chosen category.
	tagGivenCat map[string][]float64
	// catGivenTag[t][c] = P(category c | tag t) in training, smoothed, over
	// cat.Classes: the tags a text suggests vote for their categories.
	catGivenTag [][]float64
	tagPolicy   tagPolicy
	// urgGivenCat[c][u] = P(urgency u | category c) in training, smoothed,
	// in the order of urgencies.
	urgGivenCat map[string][]float64
	urgPolicy   urgencyPolicy
	// urgGivenTag[t][u] = P(urgency u | tag t) in training, smoothed, by
	// urgencyRank; the tags a text suggests vote on its urgency too.
	urgGivenTag [][]float64
	// tagGivenTag[a][b] = P(tag b | tag a) in training, smoothed: how
	// often tag b is a further tag of a text whose tags include a.
	tagGivenTag [][]float64
}

// Train builds a Builtin from the base examples, the tenant's categories
// (their names, descriptions, keywords and examples become training texts)
// and officer-confirmed examples. Examples whose category is not one of
// tenantCats still teach tags, urgency and type. An empty tenantCats means
// DefaultCategories. The same inputs always give the same model.
func Train(base []Example, tenantCats []Category, confirmed []Example) *Builtin {
	return train(base, tenantCats, confirmed, defaultFeatureOptions, defaultTrainOpts)
}

type sample struct {
	text    string
	cat     string // "" when not a category sample
	urgency string
	typ     string
	tags    []string
	weight  float64
}

func train(base []Example, tenantCats []Category, confirmed []Example, fo featureOptions, to trainOpts) *Builtin {
	if len(tenantCats) == 0 {
		tenantCats = DefaultCategories()
	}
	catIdx := map[string]int{}
	var classes []string
	for _, c := range tenantCats {
		if _, dup := catIdx[c.Slug]; dup || c.Slug == "" {
			continue
		}
		catIdx[c.Slug] = len(classes)
		classes = append(classes, c.Slug)
	}

	var samples []sample
	add := func(exs []Example, w float64) {
		for _, e := range exs {
			if strings.TrimSpace(e.Text) == "" {
				continue
			}
			s := sample{text: e.Text, urgency: e.Urgency, typ: e.Type, tags: e.Tags, weight: w}
			if _, ok := catIdx[e.Category]; ok {
				s.cat = e.Category
			}
			samples = append(samples, s)
		}
	}
	add(base, weightBase)
	add(confirmed, weightConfirmed)
	for _, c := range tenantCats {
		if _, ok := catIdx[c.Slug]; !ok {
			continue
		}
		// Names, descriptions and keywords form one synthetic text; the
		// category's own examples are texts of their own.
		parts := append([]string{c.NameID, c.NameEN, c.DescriptionID, c.DescriptionEN}, c.Keywords...)
		samples = append(samples, sample{text: strings.Join(parts, " . "), cat: c.Slug, weight: weightTaxonomy})
		for _, ex := range c.Examples {
			samples = append(samples, sample{text: ex, cat: c.Slug, weight: weightBase})
		}
	}

	raws := make([]rawFeatures, len(samples))
	for i, s := range samples {
		raws[i] = extract(s.text, fo)
	}
	b := &Builtin{vec: fitVectorizer(raws, fo), tagPolicy: defaultTagPolicy, urgPolicy: defaultUrgencyPolicy}
	xs := make([]sparse, len(samples))
	for i := range raws {
		xs[i] = b.vec.transform(raws[i])
	}
	dim := b.vec.dim()

	// category
	var cx []sparse
	var cy []int
	var cw []float64
	for i, s := range samples {
		if s.cat != "" {
			cx, cy, cw = append(cx, xs[i]), append(cy, catIdx[s.cat]), append(cw, s.weight)
		}
	}
	b.cat = trainSoftmax(cx, cy, cw, classes, dim, to)

	// urgency and type over the samples that carry them
	b.urg = trainLabels(samples, xs, func(s sample) string { return s.urgency }, urgencies, dim, to)
	b.urgGivenCat = urgencyPrior(samples)
	b.typ = trainLabels(samples, xs, func(s sample) string { return s.typ }, caseTypes, dim, to)

	// tags, on word features only to keep the model small
	seen := map[string]bool{}
	for _, s := range samples {
		for _, t := range s.tags {
			if !seen[t] {
				seen[t] = true
				b.tagNames = append(b.tagNames, t)
			}
		}
	}
	sort.Strings(b.tagNames)
	b.tagIndex = make(map[string]int, len(b.tagNames))
	for i, t := range b.tagNames {
		b.tagIndex[t] = i
	}
	var tx []sparse
	var ty [][]int
	counts := map[string][]float64{}
	catN := map[string]float64{}
	for i, s := range samples {
		if len(s.tags) == 0 {
			continue
		}
		ls := make([]int, 0, len(s.tags))
		for _, t := range s.tags {
			ls = append(ls, b.tagIndex[t])
		}
		tx, ty = append(tx, b.vec.wordOnly(xs[i])), append(ty, ls)
		if s.cat != "" {
			if counts[s.cat] == nil {
				counts[s.cat] = make([]float64, len(b.tagNames))
			}
			catN[s.cat]++
			for _, l := range ls {
				counts[s.cat][l]++
			}
		}
	}
	tagOpts := to
	tagOpts.Epochs = max(10, to.Epochs/2)
	// Each one-vs-rest tag model sees few positives; a larger step fits them
	// further in the same epochs. CV tag micro-F1 at n=971 (round 5), step
	// ×1/2/3/4/6/8/12/20: 0.741/0.746/0.748/0.748/0.754/0.753/0.753/0.751.
	tagOpts.LR = 6 * to.LR
	b.tags = trainBinaries(tx, ty, len(b.tagNames), int(b.vec.nWord), tagOpts)
	b.urgGivenTag = urgencyByTag(samples, b.tagIndex)
	b.catGivenTag = make([][]float64, len(b.tagNames))
	for t := range b.tagNames {
		row := make([]float64, len(b.cat.Classes))
		var sum float64
		for ci, c := range b.cat.Classes {
			if cs := counts[c]; cs != nil {
				row[ci] = cs[t]
			}
			row[ci] += 0.05
			sum += row[ci]
		}
		for ci := range row {
			row[ci] /= sum
		}
		b.catGivenTag[t] = row
	}
	{
		nT := len(b.tagNames)
		co := make([][]float64, nT)
		for i := range co {
			co[i] = make([]float64, nT)
		}
		n := make([]float64, nT)
		for _, ls := range ty {
			for _, a := range ls {
				n[a]++
				for _, c := range ls {
					if c != a {
						co[a][c]++
					}
				}
			}
		}
		b.tagGivenTag = make([][]float64, nT)
		for a := range co {
			b.tagGivenTag[a] = make([]float64, nT)
			for c := range co[a] {
				b.tagGivenTag[a][c] = (co[a][c] + 0.1) / (n[a] + 1)
			}
		}
	}
	b.tagGivenCat = make(map[string][]float64, len(counts))
	for c, cs := range counts {
		p := make([]float64, len(cs))
		for i, n := range cs {
			p[i] = (n + 0.1) / (catN[c] + 1)
		}
		b.tagGivenCat[c] = p
	}

	b.version = builtinFormat + "-" + fingerprint(samples, classes)
	return b
}

func trainLabels(samples []sample, xs []sparse, label func(sample) string, classes []string, dim int, to trainOpts) *softmax {
	var x []sparse
	var y []int
	var w []float64
	for i, s := range samples {
		for k, c := range classes {
			if label(s) == c {
				x, y, w = append(x, xs[i]), append(y, k), append(w, s.weight)
			}
		}
	}
	return trainSoftmax(x, y, w, classes, dim, to)
}

// fingerprint identifies the training data, so two tenants with the same
// data get the same Version and a change in data gets a new one.
func fingerprint(samples []sample, classes []string) string {
	h := sha256.New()
	var buf [8]byte
	for _, c := range classes {
		h.Write([]byte(c))
		h.Write([]byte{0})
	}
	for _, s := range samples {
		for _, f := range []string{s.text, s.cat, s.urgency, s.typ, strings.Join(s.tags, ",")} {
			h.Write([]byte(f))
			h.Write([]byte{0})
		}
		binary.LittleEndian.PutUint64(buf[:], math.Float64bits(s.weight))
		h.Write(buf[:])
	}
	return hex.EncodeToString(h.Sum(nil)[:6])
}

// Version identifies the model code and its training data.
func (b *Builtin) Version() string { return b.version }

// SizeBytes estimates the model's memory: weights plus vocabulary.
func (b *Builtin) SizeBytes() int {
	n := 4 * len(b.vec.idf)
	for k := range b.vec.index {
		n += len(k) + 16 + 4 // string header + bytes + value
	}
	for _, m := range []*softmax{b.cat, b.urg, b.typ} {
		n += 4 * (len(m.W) + len(m.B))
	}
	for _, t := range b.tags {
		n += 4 * (len(t.W) + 1)
	}
	for _, p := range b.tagGivenCat {
		n += 8 * len(p)
	}
	for _, p := range b.catGivenTag {
		n += 8 * len(p)
	}
	for _, p := range b.urgGivenTag {
		n += 8 * len(p)
	}
	for _, p := range b.tagGivenTag {
		n += 8 * len(p)
	}
	return n
}

// Classify implements Classifier. It never fails for a non-empty category
// list; with no categories at all it returns an error because no valid
// answer exists.
func (b *Builtin) Classify(ctx context.Context, in Input) (Result, error) {
	start := time.Now()
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	cands := in.Categories
	if len(cands) == 0 {
		return Result{}, ErrNoCategories
	}
	rf := extract(in.Text, b.vec.opts)
	x := b.vec.transform(rf)
	toks := normalizeText(in.Text)

	raw := b.tagProbs(x)
	ts := b.tagScores(raw, toks)
	cat, conf := b.pickCategory(x, ts, cands, toks)
	res := Result{
		Category:   cat,
		Confidence: conf,
		Tags:       b.pickTags(raw, toks, cat, in.Tags),
		Type:       in.Type,
		Language:   detectLanguage(in.Text),
		Steps:      stepsFor(cat, in),
		Model:      BuiltinModelName,
		Version:    b.version,
	}
	if !contains(caseTypes, res.Type) {
		res.Type = b.pickType(x, toks)
	}
	res.Urgency = b.pickUrgency(x, ts, cat, res.Type)
	res.CategoryTerms = b.categoryTerms(x, cat)
	// Life-and-limb rules set a floor the model never goes below, for an
	// aspiration too: "please stop locking the fire exit at night" reports
	// the danger it asks to end (docs/classifier-measurements.md, step 66).
	if floor, why := urgencyFloor(toks); floor != "" {
		res.Urgency = applyFloor(res.Urgency, floor)
		res.UrgencyRules = why
	}
	res.Latency = time.Since(start)
	return res, nil
}

// otherBoost multiplies the model's probability of the catch-all "lainnya":
// its texts share no topic, so the model spreads them over the topical
// categories. Cross-validated macro-F1 on the own texts (n=891): 1 → 0.778,
// 1.5 → 0.777, 1.75 → 0.784, 2 → 0.786, 2.25 → 0.782, 2.5 → 0.781, 3 → 0.778.
var otherBoost = 2.0

// tagVote is the exponent of the tags' category vote in pickCategory.
// Cross-validated macro-F1 (n=971, round 5): 0 → 0.813, 0.25/0.5/0.75/1/1.5
// → 0.819/0.821/0.823/0.818/0.817 with cue-lifted tag scores (0.819/0.818/
// 0.815/0.819/0.816 from the tag models alone); on two other fold splits
// 0 → 0.818/0.809, 0.75 → 0.837/0.830.
const tagVote = 0.75

// defaultSlugs are the default taxonomy's categories.
var defaultSlugs = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range DefaultCategories() {
		m[c.Slug] = true
	}
	return m
}()

// keywordHits counts the names and keywords of c that occur in toks.
func keywordHits(c Category, toks []string) int {
	hits := 0
	for _, kw := range append([]string{c.NameID, c.NameEN}, c.Keywords...) {
		if hasPhrase(toks, normPhrase(kw)) {
			hits++
		}
	}
	return hits
}

// tagProbs are the trained tags' model probabilities for x, by tag index:
// computed once per text for the tag choice and the tags' votes.
func (b *Builtin) tagProbs(x sparse) []float64 {
	xw := b.vec.wordOnly(x)
	ps := make([]float64, len(b.tags))
	for t := range b.tags {
		ps[t] = b.tags[t].prob(xw)
	}
	return ps
}

// tagScores are the tags' model probabilities lifted by the tag policy's
// cue factor where a tag's cues occur: the evidence of the tags' votes on
// category and urgency.
func (b *Builtin) tagScores(raw []float64, toks []string) []float64 {
	ts := make([]float64, len(raw))
	for t, p := range raw {
		if tagCued(toks, b.tagNames[t]) {
			p = math.Min(1, p*b.tagPolicy.VoteCue)
		}
		ts[t] = p
	}
	return ts
}

// tagsVote is Σ over tags of the tag's score × its row of table (a
// distribution given the tag, n wide): what the tags a text suggests say
// about its category or urgency.
func tagsVote(ts []float64, table [][]float64, n int) []float64 {
	q := make([]float64, n)
	for t, pt := range ts {
		for k := range q {
			q[k] += pt * table[t][k]
		}
	}
	return q
}

// pickCategory restricts the model's distribution to the active categories.
// An active category the model was not trained on (added after training)
// competes through its keywords, so it can still win on a clear match.
func (b *Builtin) pickCategory(x sparse, ts []float64, cands []Category, toks []string) (string, float64) {
	p := b.cat.probs(x)
	if len(b.catGivenTag) > 0 {
		// The tag models learn from every tag of a text (most texts now
		// carry two or three), the category model from its one label; the
		// tags they and the cues find vote for the categories those tags go
		// with in training.
		q := tagsVote(ts, b.catGivenTag, len(p))
		for ci := range p {
			p[ci] *= math.Pow(q[ci], tagVote)
		}
	}
	known := make(map[string]float64, len(p))
	for i, c := range b.cat.Classes {
		known[c] = p[i]
	}
	scores := make([]float64, len(cands))
	var sum float64
	other := -1 // the catch-all "lainnya" among the candidates
	matched := -1
	for i, c := range cands {
		if v, ok := known[c.Slug]; ok {
			scores[i] = v
			if c.Slug == "lainnya" {
				other = i
				scores[i] *= otherBoost
			} else if !defaultSlugs[c.Slug] && keywordHits(c, toks) > 0 && (matched < 0 || scores[i] > scores[matched]) {
				matched = i
			}
		} else {
			hits := keywordHits(c, toks)
			scores[i] = math.Min(0.9, 0.3*float64(hits))
			if hits > 0 && (matched < 0 || scores[i] > scores[matched]) {
				matched = i
			}
		}
		sum += scores[i]
	}
	// "Other" means no category fits; a tenant's own category (added after
	// training, or trained but not one of the defaults, whose own texts
	// compete with the generic catch-all texts on the same topic) whose
	// keywords occur fits better, so it takes Other's share.
	if other >= 0 && matched >= 0 {
		scores[matched] += scores[other]
		scores[other] = 0
	}
	if sum == 0 {
		for _, c := range cands {
			if c.Slug == "lainnya" {
				return c.Slug, 1 / float64(len(cands))
			}
		}
		return cands[0].Slug, 1 / float64(len(cands))
	}
	best := 0
	for i := range scores {
		if scores[i] > scores[best] {
			best = i
		}
	}
	return cands[best].Slug, scores[best] / sum
}

// tagPolicy turns per-tag probabilities into a tag list. The cue factors
// were picked by 5-fold cross-validation on the project's own texts
// (docs/classifier-measurements.md); the older fields predate that log.
type tagPolicy struct {
	Threshold float64 // keep tags scoring at least this (scores are small after the prior)
	Max       int     // at most this many (never above MaxTags)
	Prior     float64 // exponent of P(tag | chosen category) in the score; 0 ignores it
	NameBoost float64 // floor for a tag whose own name occurs in the text
	// CueBoost multiplies the score of a tag whose cue phrases occur in the
	// text (tagcues.go); 1 ignores cues.
	CueBoost float64
	// NoCue multiplies the score of a tag with cues of which none occurs.
	NoCue float64
	// CoTag is the exponent of P(tag | best tag) on the score of every
	// further tag; 0 ignores which tags go together.
	CoTag float64
	// VoteCue is the cue factor of the tag scores that vote on category and
	// urgency (tagScores); it stayed at 8 when the tag choice's CueBoost
	// went to 12 (step 61: the votes were neutral to it under CV).
	VoteCue float64
}

// Cross-validated tag micro-F1 on the own texts: without cues 0.439; cue
// factor 4/8/16/50 with no-cue factor 0.2: 0.507/0.528/0.531/0.533 (16 kept,
// the plateau's start). Round 4, once the cues are also features of the tag
// models (features.go): cue factor 4/8/16 × no-cue factor 0.2/0.5/1 ×
// threshold 0.03/0.06/0.1 gave 0.640 (the old policy) to 0.659 (8, 1, 0.1);
// thresholds 0.15/0.2/0.3 0.652/0.651/0.646; at most 2 tags 0.661 (not
// taken: the own texts carry fewer tags than real cases). Round 5, after the
// own texts gained their missing second and third tags (the doc's tag
// policy): 72 cells of threshold × cue × no-cue × at most 2/3 gave
// 0.716–0.742, this policy 0.740; with the tag models' larger step 0.754,
// at most 2 tags 0.758 (within noise, and three are allowed). It stays.
// Round 6: a further tag weighed by P(tag | best tag)^CoTag; CoTag
// 0/0.15/0.25/0.3/0.4 on three fold splits gave a mean tag micro-F1 of
// 0.773/0.771/0.778/0.778/0.774 (0.3 kept, away from the dip below 0.25).
// With it the category prior matters less: Prior 0/0.15/0.25/0.35/0.5 ×
// CueBoost 8/12/16/24, three splits, mean 0.771–0.787; Prior 0.25 with
// CueBoost 12 best (0.787 against 0.778), up on six splits.
var defaultTagPolicy = tagPolicy{Threshold: 0.1, Max: 3, Prior: 0.25, NameBoost: 0.3, CueBoost: 12, NoCue: 1, CoTag: 0.3, VoteCue: 8}

func (b *Builtin) pickTags(raw []float64, toks []string, cat string, vocab []string) []string {
	if len(vocab) == 0 {
		return nil
	}
	pol := b.tagPolicy
	prior := b.tagGivenCat[cat]
	type scored struct {
		tag string
		p   float64
	}
	all := make([]scored, 0, len(vocab))
	for _, t := range vocab {
		var p float64
		named := hasPhrase(toks, normPhrase(t))
		if i, ok := b.tagIndex[t]; ok {
			p = raw[i]
			if prior != nil {
				p *= math.Pow(prior[i], pol.Prior)
			}
			if _, has := compiledTagCues[t]; has {
				if tagCued(toks, t) {
					p = math.Min(1, p*pol.CueBoost)
				} else {
					p *= pol.NoCue
				}
			}
			if named {
				p = math.Max(p, pol.NameBoost)
			}
		} else if named {
			// a tenant tag the model never saw: its own name is the evidence
			p = 0.5
		}
		all = append(all, scored{t, p})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].p > all[j].p })
	// A further tag is weighed by how often it goes with the best tag in
	// training: P(tag | best tag)^CoTag.
	if pol.CoTag > 0 && len(all) > 1 && len(b.tagGivenTag) > 0 {
		if f, ok := b.tagIndex[all[0].tag]; ok {
			for k := 1; k < len(all); k++ {
				if j, ok := b.tagIndex[all[k].tag]; ok {
					all[k].p *= math.Pow(b.tagGivenTag[f][j], pol.CoTag)
				}
			}
			rest := all[1:]
			sort.SliceStable(rest, func(i, j int) bool { return rest[i].p > rest[j].p })
		}
	}
	var out []string
	for i, s := range all {
		if len(out) == min(pol.Max, MaxTags) {
			break
		}
		// the best tag is kept even when unsure: every case has some topic
		if s.p >= pol.Threshold || (i == 0 && s.p > 0) {
			out = append(out, s.tag)
		}
	}
	return dropGeneral(out)
}

// generalOf maps a narrower tag to its general one. The tag policy (docs,
// round 5) gives a general tag beside its narrower one only when the text
// raises the general topic itself; the own texts never do for these pairs.
// A general tag that is the best tag stays (it names the main topic).
var generalOf = map[string]string{
	"lembur_tidak_dibayar": "lembur",
	"tanpa_kontrak":        "kontrak",
	"union_busting":        "intimidasi_serikat",
}

func dropGeneral(tags []string) []string {
	has := make(map[string]bool, len(tags))
	for _, t := range tags {
		has[t] = true
	}
	out := tags[:0]
	for i, t := range tags {
		drop := false
		for n, g := range generalOf {
			if t == g && has[n] && i > 0 {
				drop = true
			}
		}
		if !drop {
			out = append(out, t)
		}
	}
	return out
}

func stepsFor(cat string, in Input) []string {
	if s := in.Playbook[cat]; len(s) > 0 {
		return append([]string(nil), s...)
	}
	loc := in.Locale
	if _, ok := defaultSteps[loc]; !ok {
		loc = "id"
	}
	s, ok := defaultSteps[loc][cat]
	if !ok {
		s = defaultSteps[loc]["lainnya"]
	}
	return append([]string(nil), s...)
}
