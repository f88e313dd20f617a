package classify

import (
	"strings"
	"unicode"
)

// slang maps informal Indonesian (WhatsApp style), common Javanese and a few
// English words to the standard Indonesian word the training texts use, so
// that "gk dibayar" and "tidak dibayar" share features. Negations map to
// "tidak" rather than being dropped: "tidak dibayar" is the signal.
var slang = map[string]string{
	// negation
	"gk": "tidak", "ga": "tidak", "gak": "tidak", "tdk": "tidak", "ngga": "tidak", "nggak": "tidak",
	"enggak": "tidak", "engga": "tidak", "gx": "tidak", "ndak": "tidak", "ndk": "tidak", "tak": "tidak",
	"ngak": "tidak", "nggk": "tidak", "ngk": "tidak", "g": "tidak", "kagak": "tidak", "gag": "tidak",
	"ora": "tidak", "mboten": "tidak", "boten": "tidak", "gaada": "tidak ada", "gada": "tidak ada",
	"blm": "belum", "blum": "belum", "durung": "belum", "dereng": "belum",
	// pronouns
	"sy": "saya", "aq": "saya", "aku": "saya", "gw": "saya", "gue": "saya", "sya": "saya", "ak": "saya",
	"kulo": "saya", "kula": "saya", "kami2": "kami", "kita2": "kita", "km": "kamu", "dia2": "dia",
	// function words
	"yg": "yang", "yng": "yang", "sing": "yang", "udh": "sudah", "udah": "sudah", "dah": "sudah",
	"sdh": "sudah", "udeh": "sudah", "wis": "sudah", "uwis": "sudah", "wes": "sudah", "sampun": "sudah",
	"tp": "tapi", "tpi": "tapi", "krn": "karena", "karna": "karena", "krna": "karena", "soale": "karena",
	"dgn": "dengan", "dg": "dengan", "karo": "dengan", "bgt": "banget", "bngt": "banget",
	"sampe": "sampai", "nganti": "sampai", "utk": "untuk", "untk": "untuk", "buat": "untuk",
	"jg": "juga", "sm": "sama", "aja": "saja", "aj": "saja", "gmn": "bagaimana", "gimana": "bagaimana",
	"piye": "bagaimana", "knp": "kenapa", "ngopo": "kenapa", "skrg": "sekarang", "skrang": "sekarang",
	"saiki": "sekarang", "org": "orang", "wong": "orang", "kmrn": "kemarin", "bln": "bulan", "sasi": "bulan",
	"thn": "tahun", "taun": "tahun", "hr": "hari", "jd": "jadi", "jdi": "jadi", "dr": "dari", "pd": "pada",
	"dl": "dulu", "dlu": "dulu", "lg": "lagi", "msh": "masih", "masi": "masih", "tlg": "tolong",
	"mhn": "mohon", "dpt": "dapat", "sdg": "sedang", "kl": "kalau", "klo": "kalau",
	"kalo": "kalau", "spt": "seperti", "trs": "terus", "bener": "benar", "cuman": "hanya", "cuma": "hanya",
	"mung": "hanya", "pengen": "ingin", "pingin": "ingin", "pgn": "ingin", "nyuruh": "suruh",
	"dikasih": "diberi", "dikasi": "diberi", "ngasih": "beri", "kasih": "beri", "temen": "teman",
	"kerjaan": "pekerjaan", "lemburan": "lembur", "duit": "uang", "hrs": "harus", "ttg": "tentang",
	"sblm": "sebelum", "stlh": "setelah", "tgl": "tanggal", "jm": "jam", "mlm": "malam", "malem": "malam",
	"pgi": "pagi", "iki": "ini", "kuwi": "itu", "iku": "itu", "opo": "apa", "apa2": "apa", "kerjo": "kerja",
	"nyambut": "kerja", "gawe": "kerja", "bayare": "bayar", "gajine": "gaji", "gajie": "gaji",
	"perush": "perusahaan", "prshn": "perusahaan", "pt": "perusahaan", "pbrk": "pabrik", "sprti": "seperti",
	"bos": "atasan", "boss": "atasan", "atasane": "atasan", "mandore": "mandor",
	"ijin": "izin", "gajian": "gaji", "gajih": "gaji", "salary": "gaji", "wage": "upah", "wages": "upah",
	"overtime": "lembur", "ot": "lembur", "fired": "dipecat", "contract": "kontrak", "union": "serikat",
	"harassment": "pelecehan", "leave": "cuti", "pregnant": "hamil", "toilets": "toilet", "safety": "keselamatan",
	"kids": "anak", "child": "anak", "children": "anak", "debt": "utang", "hutang": "utang", "kasbon": "utang",
	"layoff": "phk", "severance": "pesangon", "bpjstk": "bpjs ketenagakerjaan",
	"bpjskes": "bpjs kesehatan", "jamsostek": "bpjs ketenagakerjaan", "spv": "supervisor", "sv": "supervisor",
	"personalia": "hrd", "ngelembur": "lembur", "ngeluh": "keluh", "dimarahin": "dimarahi",
	"marah2": "marah", "ngancam": "ancam", "nahan": "tahan", "ditahen": "ditahan", "mecat": "pecat",
	"dipotongin": "dipotong", "motong": "potong", "bayarin": "bayar", "dibayarin": "dibayar",
	"nggaji": "gaji", "wc": "toilet", "toilete": "toilet",
	// Javanese words of work, pay, body and place
	"meteng": "hamil", "loro": "sakit", "mulih": "pulang", "mlebu": "masuk", "metu": "keluar",
	"ngelu": "pusing", "tatu": "luka", "geni": "api", "kobong": "terbakar", "duwit": "uang",
	"dino": "hari", "dina": "hari", "cah": "anak", "anake": "anak", "wedok": "perempuan", "wadon": "perempuan",
	"lanang": "laki", "mbayar": "bayar", "dibayari": "dibayar", "konco": "teman", "kanca": "teman",
	"oleh": "boleh", "iso": "bisa", "isa": "bisa", "kudu": "harus", "akeh": "banyak", "gedhe": "besar",
	"cilik": "kecil", "omah": "rumah", "banyu": "air", "adoh": "jauh", "suwe": "lama", "saben": "setiap",
	"neng": "di", "ning": "di", "bose": "atasan", "pabrike": "pabrik", "diantemi": "dipukul",
	"dijiwit": "dicubit", "diseneni": "dimarahi", "bayaran": "upah",
	// English words of a grievance
	"late": "telat", "unpaid": "tidak dibayar", "paid": "dibayar", "sick": "sakit", "water": "air",
	"threatened": "diancam", "sexual": "seksual", "without": "tanpa", "dismissed": "dipecat",
}

// normalizeText lower-cases text and returns its normalised word tokens:
// slang expanded, letter runs squashed, "teman2"/"teman-teman" collapsed.
func normalizeText(text string) []string {
	text = strings.ToLower(text)
	var toks []string
	var b strings.Builder
	flush := func() {
		if b.Len() == 0 {
			return
		}
		w := b.String()
		b.Reset()
		toks = appendWord(toks, w)
	}
	for _, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case r == '-' && b.Len() > 0:
			// keep hyphen inside a word for reduplication ("teman-teman")
			b.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	return toks
}

// appendWord normalises one raw word and appends the resulting token(s).
func appendWord(toks []string, w string) []string {
	w = strings.Trim(w, "-")
	if w == "" {
		return toks
	}
	if i := strings.IndexByte(w, '-'); i > 0 {
		left, right := w[:i], w[i+1:]
		switch {
		case left == right: // reduplication: teman-teman
			w = left
		case strings.HasSuffix(right, left) || strings.HasPrefix(right, left): // kata-katanya, bolak-balik
			w = left
		default:
			for _, part := range strings.Split(w, "-") {
				toks = appendWord(toks, part)
			}
			return toks
		}
	}
	// "teman2" is written reduplication; keep numbers like "12" or "2024".
	if len(w) > 2 && strings.HasSuffix(w, "2") && !isDigits(w[:len(w)-1]) {
		w = strings.TrimRight(w, "2")
	}
	w = squash(w)
	if s, ok := slang[w]; ok {
		return append(toks, strings.Fields(s)...)
	}
	return append(toks, w)
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// squash collapses runs of three or more identical letters to one
// ("tolooong" → "tolong"); doubled letters are common in real words (saat,
// maaf) and stay.
func squash(w string) string {
	rs := []rune(w)
	out := rs[:0]
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && rs[j] == rs[i] {
			j++
		}
		n := j - i
		if n >= 3 && unicode.IsLetter(rs[i]) {
			n = 1
		}
		for k := 0; k < n; k++ {
			out = append(out, rs[i])
		}
		i = j
	}
	return string(out)
}

// stem strips common Indonesian affixes (light, rule-based): particles
// (-lah, -kah, -pun), the possessive -nya, derivational suffixes (-kan, -an,
// -i) and prefixes (di-, ter-, ber-, ke-, se-, meN-/peN- with the nasal
// restored: memotong, pemotongan → potong; menyapu → sapu). The result only
// has to group the variants of one word, not be a dictionary lemma.
func stem(w string) string {
	if len(w) < 5 || isDigits(w) {
		return w
	}
	for _, suf := range []string{"lah", "kah", "pun", "nya"} {
		if strings.HasSuffix(w, suf) && len(w)-len(suf) >= 4 {
			w = w[:len(w)-len(suf)]
			break
		}
	}
	for _, suf := range []string{"kan", "an", "i"} {
		if strings.HasSuffix(w, suf) && len(w)-len(suf) >= 4 {
			w = w[:len(w)-len(suf)]
			break
		}
	}
	return stripPrefix(w)
}

func isVowel(c byte) bool { return strings.IndexByte("aeiou", c) >= 0 }

func stripPrefix(w string) string {
	for _, p := range []string{"diper", "di", "ter", "ber", "ke", "se"} {
		if strings.HasPrefix(w, p) && len(w)-len(p) >= 4 {
			return w[len(p):]
		}
	}
	if len(w) < 6 || (w[:2] != "me" && w[:2] != "pe") {
		return w
	}
	rest := w[2:]
	switch {
	case strings.HasPrefix(rest, "ny") && isVowel(rest[2]):
		return "s" + rest[2:]
	case strings.HasPrefix(rest, "ng"):
		return rest[2:]
	case (rest[0] == 'm' || rest[0] == 'n') && isVowel(rest[1]):
		// the nasal replaced p (memotong) or t (menulis)
		if rest[0] == 'm' {
			return "p" + rest[1:]
		}
		return "t" + rest[1:]
	case rest[0] == 'm' || rest[0] == 'n':
		return rest[1:] // membayar, mendapat
	case w[:2] == "pe" && strings.HasPrefix(rest, "r"):
		return rest[1:] // perbaikan
	}
	return rest
}
