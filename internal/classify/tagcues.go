package classify

// tagCues are the phrases that name each default tag's topic, written from
// the tag's meaning (as the categories' keywords are). A cue found in the text
// lifts the tag to the cue floor of the tag policy: the per-tag models learn
// from few examples each, and a worker who writes "gaji telat" has said
// which tag applies. Tenant tags without cues still compete through the
// model and their own names.
var tagCues = map[string]string{
	"upah_minimum":         "umk|ump|umsk|upah minimum|di bawah umk|dibawah umk|di bawah ump|minimum wage",
	"upah_terlambat":       "gaji telat|telat gajian|gajian telat|gaji terlambat|upah terlambat|terlambat dibayar|belum gajian|belum dibayar|gaji belum|upah belum|ditunda|dicicil|nyicil|late pay|paid late",
	"pemotongan_upah":      "dipotong|potong gaji|pemotongan|memotong|denda|didenda|kena potong|setelah potongan|potongan koperasi|potongan seragam|potongan mess|potongan id card|potongan lain lain|potongan denda|potongan upah|potongan gaji|deduction|deducted",
	"thr":                  "thr|tunjangan hari raya|lebaran|natal|hari raya",
	"premi":                "premi|premi panen|brondolan|basis borong|insentif|bonus",
	"slip_gaji":            "slip gaji|slip|rincian gaji|payslip",
	"lembur":               "lembur|overtime|jam tambahan",
	"lembur_tidak_dibayar": "lembur tidak dibayar|lembur tak dibayar|lembur gak dibayar|lembur nggak dibayar|lembur tidak dihitung|lembur gratis|unpaid overtime|scan pulang|absen pulang dulu|lemburnya tidak dibayar|lembur tidak dihitung|tidak dihitung lembur|tidak dihitung sebagai lembur|tidak ada upah lembur|tanpa upah lembur|tanpa bayaran|tanpa dibayar|tidak dibayar lembur|lemburan tidak dibayar|kerja tanpa upah|tidak ada tambahan upah|tanpa upah tambahan",
	"jam_kerja_berlebih":   "12 jam|13 jam|14 jam|jam kerja panjang|kerja terus|tanpa libur|tidak ada libur|tidak libur|7 hari seminggu|long hours",
	"target_produksi":      "target|target produksi|target harian|tidak capai target|kejar target|quota|borongan",
	"hari_libur":           "hari libur|hari minggu|libur nasional|tanggal merah|hari raya|cuti bersama|rest day",
	"shift_malam":          "shift malam|sif malam|malam hari|shift 3|jam malam|night shift",
	"kontrak":              "pekerja kontrak|karyawan kontrak|buruh kontrak|status kontrak|statusnya kontrak|jadi kontrak|kontrak lagi|dikontrak|kontrak ulang|kontrak diputus|kontraknya diputus|perpanjang kontrak|perpanjangan kontrak|diperpanjang|kontrak habis|kontraknya|kontrakku|kontrak pertama|kontrak kerja|kontrak baru|kontrak harian|isi kontrak|sisa kontrak|pkwt|pkwtt|karyawan tetap|diangkat|pengangkatan|contract worker|contract workers",
	"outsourcing":          "outsourcing|alih daya|yayasan|agen tenaga kerja|vendor|penyalur",
	"bhl":                  "bhl|buruh harian lepas|harian lepas|pekerja harian|daily worker",
	"tanpa_kontrak":        "tanpa kontrak|tidak ada kontrak|tidak pernah tanda tangan kontrak|tidak dikasih kontrak|tidak punya kontrak|salinan kontrak|no contract|tidak pernah dikasih kontrak|tidak pernah diberi kontrak|tanpa perjanjian kerja|tidak ada perjanjian kerja|tanpa kontrak tertulis|kontrak tertulis|surat perjanjian kerja|tidak pegang kontrak",
	"masa_percobaan":       "masa percobaan|training|percobaan|probation",
	"phk_sepihak":          "phk sepihak|di phk|diphk|dipecat|pecat|diberhentikan|pemutusan|fired|dismissed",
	"pesangon":             "pesangon|uang pisah|uang penghargaan|severance",
	"phk_massal":           "phk massal|ratusan|puluhan pekerja|pengurangan karyawan|efisiensi|layoff|mass layoff|dirumahkan|semua pekerja|seluruh pekerja|ratusan pekerja|ratusan orang|semua pemanen",
	"pabrik_tutup":         "pabrik tutup|tutup pabrik|relokasi|pindah pabrik|pemilik kabur|tutup permanen|closure|pabrik pindah|berhenti produksi|gulung tikar|bangkrut|pailit|ditutup permanen",
	"dipaksa_resign":       "dipaksa resign|disuruh resign|mengundurkan diri|surat pengunduran|resign|forced to resign",
	"kecelakaan_kerja":     "kecelakaan|kecelakaan kerja|terluka|luka|luka bakar|jari|tangan patah|tangan terjepit|tangannya terjepit|tangan masuk|tangan terluka|tangannya terluka|tangan tergencet|terjepit|kejepit|tergencet|jari terpotong|tersiram|tergilas|patah|jatuh|tertimpa|accident|injured",
	"apd":                  "apd|masker|sarung tangan|helm|sepatu boot|kacamata|pelindung|earplug|protective equipment",
	"pestisida":            "pestisida|herbisida|semprot|penyemprot|nyemprot|paraquat|gramoxone|racun|pesticide",
	"bahan_kimia":          "bahan kimia|kimia|lem|solvent|thinner|cat|chemical|uap",
	"debu":                 "debu|serbuk|berdebu|dust",
	"panas":                "panas|kepanasan|gerah|suhu|heat",
	"jalur_evakuasi":       "jalur evakuasi|pintu darurat|tangga darurat|apar|kebakaran|fire exit|emergency exit",
	"sakit":                "sakit|pingsan|sesak|batuk|pusing|gatal|iritasi|muntah|surat dokter|ill|sick",
	"bpjs_kesehatan":       "bpjs kesehatan|kis|jkn|faskes|berobat|rumah sakit|health insurance",
	"bpjs_ketenagakerjaan": "bpjs ketenagakerjaan|bpjs tk|jamsostek|jkk|jkm|jaminan pensiun|bpjamsostek",
	"iuran_tidak_disetor":  "tidak disetor|belum disetor|tunggakan|nunggak|menunggak|tidak dibayarkan iuran|iuran|nonaktif|tidak aktif",
	"jht":                  "jht|jaminan hari tua|klaim jht|pencairan jht",
	"cuti_tahunan":         "cuti tahunan|jatah cuti|12 hari cuti|annual leave",
	"cuti_haid":            "cuti haid|haid|menstruasi|datang bulan|period leave",
	"cuti_melahirkan":      "cuti melahirkan|melahirkan|persalinan|maternity",
	"keguguran":            "keguguran|miscarriage",
	"laktasi":              "laktasi|menyusui|asi|pompa asi|ruang laktasi|breastfeeding",
	"hamil":                "hamil|kehamilan|ibu hamil|pregnant",
	"diskriminasi_gender":  "perempuan|laki laki|wanita|pria|gender|jenis kelamin|women",
	"usia":                 "usia|umur|batas usia|terlalu tua|sudah tua|age",
	"disabilitas":          "disabilitas|difabel|cacat|kursi roda|tuna|disability",
	"agama":                "agama|jilbab|kerudung|sholat|salat|ibadah|jumat|natal|religion",
	"upah_tidak_setara":    "upah beda|gaji beda|upah lebih rendah|gaji lebih kecil|dibayar lebih rendah|tidak setara|unequal pay|lebih rendah dari|lebih kecil dari|upah berbeda|gaji berbeda|beda upah|beda gaji|pekerjaan yang sama|kerjanya sama|tugas sama|jabatannya sama|equal pay",
	"pelecehan_seksual":    "pelecehan|pelecehan seksual|dilecehkan|colek|dicolek|diraba|meraba|mesum|cabul|rayu|sexual",
	"kekerasan_verbal":     "dimaki|maki|dibentak|bentak|kata kasar|goblok|bodoh|teriak|dihina|menghina|anjing|insult",
	"kekerasan_fisik":      "dipukul|pukul|ditampar|tampar|ditendang|tendang|dilempar|didorong|dijambak|hit|slapped",
	"ancaman":              "ancam|diancam|mengancam|ancaman|intimidasi|threat",
	"intimidasi_serikat":   "pengurus serikat|anggota serikat|ketua serikat|sekretaris serikat|bendahara serikat|ikut serikat|masuk serikat|rapat serikat|orang serikat|kaos serikat|sekretariat serikat|kta serikat|melu serikat|keluar dari serikat|intimidasi|dipanggil hrd|joining the serikat|union members|union member",
	"mutasi":               "mutasi|dimutasi|dipindah|dipindahkan|pindah bagian|transfer",
	"pkb":                  "pkb|perjanjian kerja bersama|perundingan|bipartit|collective agreement",
	"union_busting":        "union busting|bubarkan serikat|pembubaran serikat|menghalangi serikat|dilarang berserikat|serikat tandingan|keluar dari serikat|pengurus serikat di phk|ketua serikat di phk|pengurus serikat dipecat|ketua serikat dipecat|ketua serikat dimutasi|pengurus serikat dimutasi|pengurus dipindah|serikat tandingan|membubarkan serikat|tidak mengakui serikat|menolak mengakui|iuran serikat|mogok",
	"anak_di_bawah_umur":   "di bawah umur|dibawah umur|pekerja anak|buruh anak|child labour|child labor|underage|anak smp|anak sd|masih smp|masih sd|masih sekolah|usia sekolah|tidak sekolah|putus sekolah|sekolahnya ditinggal|sekolahe ditinggal|belum 18 tahun|belum berusia 18|belum cukup umur|belum cukup usia|umur minimal|usia minimal|anak umur|anak usia|anak ikut|anak pekerja ikut|bocah|umur 10|umur 10an|umur 11|umur 12|umur 13|umur 14|umur 15|umur 16|umur 17|usia 10|usia 11|usia 12|usia 13|usia 14|usia 15|usia 16|usia 17|under fifteen|under 15|under 18|ktp kakaknya|ktp palsu|dituakan|helping their parents|with their parents",
	"dokumen_ditahan":      "ijazah|ktp|paspor|ditahan|dokumen|jaminan ijazah|withheld",
	"jeratan_utang":        "utang|hutang|kasbon|pinjaman|potong utang|bunga|debt",
	"kerja_paksa":          "kerja paksa|dipaksa|tidak boleh keluar|tidak boleh berhenti|dikunci|denda|forced",
	"perumahan":            "mes|asrama|barak|rumah dinas|rumah pekerja|rumah petak|tidak dapat rumah|atap rumah|rumah bocor|rumah di emplasmen|rumah kami di emplasmen|perumahan|emplasmen|kamar|housing",
	"air_bersih":           "air bersih|air minum|air keruh|air sumur|sumur|air keran|tidak ada air|air mati|air kotor|air galon|galon|tangki air|tandon air|air parit|air mineral|kekurangan air|krisis air|water",
	"toilet":               "toilet|wc|kamar mandi|jamban",
	"kantin":               "kantin|makan siang|makanan|nasi|uang makan|catering|canteen",
	"transportasi":         "transportasi|bus jemputan|jemputan|truk|angkutan|ongkos|transport",
	"penitipan_anak":       "penitipan anak|daycare|tempat penitipan|tpa|childcare",
	"klinik":               "klinik|poliklinik|dokter perusahaan|obat|perawat|clinic",
	"tempat_ibadah":        "mushola|musala|masjid|tempat ibadah|ruang ibadah|prayer room|musholla|mushalla|mushola|surau|langgar|wudhu|wudu|gereja|sajadah|mukena",
}

var compiledTagCues = func() map[string][][]string {
	out := make(map[string][][]string, len(tagCues))
	for t, alts := range tagCues {
		out[t] = phrases(alts)
	}
	return out
}()

// tagCued reports whether text names tag's topic.
func tagCued(toks []string, tag string) bool {
	c, ok := compiledTagCues[tag]
	return ok && hasAnyExact(toks, c)
}
