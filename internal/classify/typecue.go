package classify

// Aspiration cues: the ways a worker asks for something to change rather
// than reports a wrong done. The type model alone misses most aspirations
// because complaints outnumber them in every training set; a cue lets a
// suggestion be read as one.
//
// Two kinds of cue (round 8, docs/classifier-measurements.md steps 76–81):
//   - a proposal phrase, which only a suggestion uses ("usul", "idealnya",
//     "apa mungkin", "dimasukkan ke PKB");
//   - a request word followed within requestReach words by a verb of
//     providing or changing ("mohon disediakan", "minta tolong ditambah",
//     "bisa tidak dipasang"), or a word of hope ("semoga", "kalau bisa",
//     "ingin") on its own; either unless a word of help with a wrong comes
//     in those words ("kami mohon serikat membantu menagih", "semoga cepat
//     diselesaikan"), the verb is denied or done to someone ("kontrak saya
//     tidak diperpanjang", "saya dipindahkan"), or a boss asks or hopes
//     ("atasan meminta kami menambah jam", "HRD ingin memecat saya").
//
// A text that says it reports or complains ("melaporkan", "pengaduan") has
// no cue: its requests ask for a wrong to be put right; nor has a question
// that says it asks to know ("ingin tahu", "mohon info").
var (
	proposalCues = phrases(
		"usul|usulan|usulkan|mengusulkan|diusulkan|ngusulin|usulin|saran saya|saran kami|sarannya|menyarankan|aspirasi|" +
			"alangkah baiknya|akan lebih baik|lebih baik kalau|lebih baik jika|bagaimana kalau|bagaimana jika|" +
			"boleh tidak kalau|boleh tidak jika|mungkin bisa|" +
			"akan sangat membantu|sangat membantu jika|sangat membantu kalau|akan membantu jika|akan membantu kalau|" +
			"idealnya|bagus kalau|bagus jika|bagusnya|pengennya|pinginnya|inginnya|kepenginnya|harapannya|" +
			"seandainya|andaikan|andai saja|apa mungkin|apakah mungkin|mungkinkah|" +
			"bisa tidak kalau|bisa tidak jika|apa bisa dibuat|apakah bisa dibuat|kapan diadakan|" +
			"kenapa tidak dibuat|kenapa tidak diadakan|kenapa tidak disediakan|mengapa tidak dibuat|" +
			"bagaimana caranya agar|bagaimana caranya supaya|bagaimana supaya|" +
			"ke depannya|kedepannya|jika memungkinkan|" +
			"dimasukkan ke pkb|dimasukkan dalam pkb|dimasukkan di pkb|pkb berikutnya|pkb nanti|pkb mendatang|" +
			"perlu masuk pkb|masuk agenda|agenda perundingan|bahan perundingan|" +
			"dibawa ke perundingan|dibawa ke bipartit|dibahas di lks|dibahas di bipartit|dibahas di perundingan|" +
			"diajukan ke manajemen|diajukan ke perusahaan|kami ajukan agar|mengajukan agar|" +
			"propose|suggest|suggestion|we hope|hopefully|would like")
	// hopeWords count on their own unless a boss hopes or is quoted, or a
	// negation follows: "HRD ingin memecat saya", "HRD bilang sebaiknya saya
	// resign" and "semoga tidak terjadi apa-apa" are not suggestions.
	hopeWords = phrases("semoga|berharap|mengharapkan|harapan kami|harapan saya|kalau bisa|ingin|menginginkan|kepengin|mendambakan|" +
		"sebaiknya|mending|kami menuntut|tuntutan kami|tuntutan pkb|tuntutan untuk pkb")
	quoted       = map[string]bool{"bilang": true, "kata": true, "katanya": true, "bilangnya": true, "menyuruh": true, "suruh": true, "disuruh": true}
	requestWords = phrases(
		"semoga|berharap|mengharapkan|harapan|ingin|menginginkan|kepengin|mendambakan|kalau bisa|sebaiknya|menurut saya|menurut kami|" +
			"kami menuntut|tuntutan kami|tuntutan pkb|tuntutan untuk pkb|diperlukan|dibutuhkan|apakah serikat bisa|apa serikat bisa|" +
			"bisakah serikat|bisakah|dapatkah|bolehkah|mohon|minta|meminta|memohon|mengajukan permohonan|tolong|harap|diharapkan|kapan|request|" +
			"butuh|membutuhkan|perlu|mestinya|dong|please|bisa tidak|apa bisa|apakah bisa|nyuwun|njaluk")
	// bosses: a request word after one of them is an order, not a request
	// ("atasan meminta kami menambah jam kerja"); victims: a verb after one
	// of them was done to them ("tolong, saya dipindahkan ke gudang").
	bosses      = map[string]bool{"atasan": true, "mandor": true, "hrd": true, "supervisor": true, "leader": true, "perusahaan": true, "manajemen": true, "asisten": true, "krani": true, "manajer": true}
	victims     = map[string]bool{"saya": true, "kami": true, "teman": true, "dia": true, "mereka": true, "kontrak": true, "kontraknya": true, "gaji": true, "upah": true}
	changeVerbs = phrases(
		"diadakan|diadain|adain|adakan|mengadakan|diadakannya|disediakan|sediakan|menyediakan|penyediaan|" +
			"dibuat|dibuatkan|buatkan|membuatkan|bikin|dibikin|dibikinkan|dibikinin|" +
			"dibangun|dibangunkan|membangun|pembangunan|dipasang|dipasangi|pasang|pasangkan|memasang|pemasangan|" +
			"ditambah|ditambahkan|ditambahin|tambahin|tambah|tambahkan|menambah|menambahkan|penambahan|" +
			"dinaikkan|naikkan|menaikkan|kenaikan|diperpanjang|memperpanjang|perpanjangan|" +
			"digeser|dipindah|dipindahkan|dimundurkan|dimajukan|diubah|mengubah|dijadikan|" +
			"dibentuk|dibentuknya|membentuk|pembentukan|dibuka|membuka|diatur|dibatasi|diperketat|" +
			"ditulis|dicantumkan|dimasukkan|diajukan|dibahas|dirundingkan|diperjuangkan|" +
			"disosialisasikan|mensosialisasikan|sosialisasi|pelatihan|program|dijadwalkan|dilengkapi|" +
			"ditingkatkan|meningkatkan|dipertimbangkan|disubsidi|dievaluasi|ditinjau|disesuaikan|diperluas|diperbesar|" +
			"dilebarkan|tambahan|mengusahakan|diusahakan|dinegosiasikan|memperjuangkan|perjuangkan|diperjuangin|perjuangin|" +
			"diberi kesempatan|diberikan kesempatan")
	helpWords = phrases(
		"bantu|membantu|dibantu|bantuan|mbantu|menindaklanjuti|ditindaklanjuti|tindak lanjut|" +
			"diselesaikan|menyelesaikan|selesaikan|mendampingi|didampingi|dampingi|melindungi|dilindungi|" +
			"diusut|mengusut|ditagih|menagih|diproses|memproses|dikembalikan|kembalikan|mengembalikan|" +
			"advokasi|dibela|membela|ditegur|menegur|ditindak|menindak|segera|hak kami|hak saya|hak kita|" +
			"ditangani|menangani|diurus|mengurus|ditanggapi|direspon|diperhatikan|dipenuhi|dibayar|dibayarkan|membayar|" +
			"dilunasi|melunasi|cepat|secepatnya|keadilan|adil|beres|dibereskan|sanksi|dihentikan|menghentikan|berhenti|" +
			"ditolong|menolong|pertolongan|kejelasan|kepastian|cek|dicek|mengecek|diperiksa|memeriksa|diselidiki|investigasi|turun tangan")
	reportWords = phrases(
		"melaporkan|mengadukan|mengeluhkan|pengaduan|aduan|keluhan|mau lapor|ingin lapor|mau mengadu|" +
			// a question about the rules asks to know, not to change
			"ingin tahu|mau tahu|ingin bertanya|mau tanya|mohon info|mohon infonya|mohon informasi|minta info|minta informasi|mohon penjelasan")
)

// requestReach is how many words after a request word its verb may come.
const requestReach = 6

// aspirationCue reports whether toks read as a request for change.
func aspirationCue(toks []string) bool {
	if hasAnyExact(toks, reportWords) {
		return false
	}
	if hasAnyExact(toks, proposalCues) {
		return true
	}
	for i := range toks {
		n := phraseLenAt(toks, i, requestWords)
		if n == 0 || i > 0 && bosses[toks[i-1]] {
			continue
		}
		if requestForChange(toks, i, n) {
			return true
		}
	}
	return false
}

// requestForChange reports whether the request word of n words at toks[i]
// asks for a change: a verb of change (not negated) or "ada" right after it
// follows within requestReach words, or it is a hope of the reporter's;
// either with no word of help with a wrong in those words.
func requestForChange(toks []string, i, n int) bool {
	end := min(len(toks), i+n+requestReach)
	change := false
	for j := i + n; j < end; j++ {
		if phraseLenAt(toks, j, helpWords) > 0 {
			return false
		}
		// a verb done to someone, or denied, is no change asked for
		done := j > i+n && (toks[j-1] == "tidak" || toks[j-1] == "belum" || victims[toks[j-1]] || bosses[toks[j-1]])
		if !done && (phraseLenAt(toks, j, changeVerbs) > 0 || j == i+n && toks[j] == "ada") {
			change = true
		}
	}
	if change {
		return true
	}
	if phraseLenAt(toks, i, hopeWords) == 0 || i+n < len(toks) && toks[i+n] == "tidak" {
		return false
	}
	return i == 0 || !bosses[toks[i-1]] && !quoted[toks[i-1]]
}

func hasAnyExact(toks []string, phrases [][]string) bool {
	for _, p := range phrases {
		if hasExact(toks, p) {
			return true
		}
	}
	return false
}

// pickType is the predicted intake type of a text whose type is unknown. A
// cue turns the model's complaint or information request into an
// aspiration ("apakah serikat bisa mengadakan pelatihan?" asks for a
// change, not for a rule) whatever the model's confidence (cross-validated
// type accuracy on the own texts, round 2: no cue 0.913; cue unless the
// model is at least 0.8/0.9/0.95 sure 0.938/0.945/0.949; always 0.953).
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
	if b.typ.Classes[best] != "aspiration" && aspirationCue(toks) {
		return "aspiration"
	}
	return b.typ.Classes[best]
}
