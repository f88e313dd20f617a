package chat

import "strings"

// texts are the conversation's lines per language. {union}, {ref},
// {receipt}, {link} and {n} are filled in by say. Lines shown on a lock
// screen (updates) carry the reference and a link only, never case text.
var texts = map[string]map[string]string{
	"id": {
		"greet": "Halo, ini {union}. Di sini Anda bisa melapor dengan aman.\n\n" +
			"Anda memilih cara melapor nanti:\n" +
			"• Bernama – petugas serikat tahu siapa Anda.\n" +
			"• Rahasia – nama dan nomor Anda disimpan terkunci; hanya petugas yang menangani yang bisa melihatnya.\n" +
			"• Anonim – tidak ada yang tahu siapa Anda, nomor Anda tidak disimpan; Anda mendapat kode tanda terima untuk mengikuti laporan.\n\n" +
			"Ketik EN for English.",
		"ask_type":     "Apa yang ingin Anda sampaikan? Balas dengan angka:\n1. Pengaduan (masalah di tempat kerja)\n2. Aspirasi (usulan)\n3. Pertanyaan",
		"ask_describe": "Ceritakan apa yang terjadi: kapan, di mana, siapa yang terlibat. Anda boleh mengirim beberapa pesan, foto, pesan suara atau dokumen.\nKetik SELESAI jika sudah.",
		"got_item":     "Diterima. Kirim lagi, atau ketik SELESAI jika sudah.",
		"too_short":    "Ceritanya masih terlalu pendek. Tulis sedikit lagi atau kirim pesan suara, lalu ketik SELESAI.",
		"ask_mode":     "Bagaimana Anda ingin melapor? Balas dengan angka:\n1. Bernama\n2. Rahasia\n3. Anonim",
		"ask_mode_sms": "Bagaimana Anda ingin melapor? Balas 1 (Bernama), 2 (Rahasia) atau 3 (Anonim).",
		"anon_only":    "Dari nomor ini hanya laporan anonim yang bisa dibuat. Balas 3 untuk anonim, atau BATAL.",
		"anon_off":     "Serikat ini tidak menerima laporan anonim. Balas 1 (Bernama) atau 2 (Rahasia).",
		"confirm": "Periksa laporan Anda:\nJenis: {type}\nCerita: {summary}\nLampiran: {n}\nCara melapor: {mode}\n\n" +
			"Balas YA untuk mengirim, atau BATAL untuk membatalkan.",
		"filing":    "Laporan Anda sedang dikirim. Mohon tunggu sebentar.",
		"cancelled": "Laporan dibatalkan. Tidak ada yang disimpan. Kirim pesan apa saja untuk mulai lagi.",
		"filed":     "Laporan Anda sudah diterima dengan nomor {ref}. Kami akan mengabari Anda lewat nomor ini. Balas pesan ini untuk menambahkan keterangan.",
		"filed_anon": "Laporan anonim Anda sudah diterima.\n\nKODE TANDA TERIMA: {receipt}\n\n" +
			"TULIS KODE INI DI KERTAS SEKARANG. Hanya dengan kode ini Anda bisa mengikuti laporan di {link}. " +
			"Kami tidak menyimpan nomor Anda dan tidak bisa mengirim kode ini lagi. Setelah mencatatnya, Anda boleh menghapus percakapan ini.",
		"file_failed":       "Laporan belum bisa dikirim: {reason}. Silakan perbaiki lalu ketik SELESAI lagi.",
		"forwarded":         "Pesan Anda sudah diteruskan ke petugas untuk laporan {ref}.",
		"forward_fail":      "Pesan Anda belum terkirim ke petugas. Silakan kirim ulang.",
		"update":            "Ada kabar baru tentang laporan {ref}. Buka {link} untuk melihatnya.",
		"type.complaint":    "Pengaduan",
		"type.aspiration":   "Aspirasi",
		"type.information":  "Pertanyaan",
		"mode.named":        "Bernama",
		"mode.confidential": "Rahasia",
		"mode.anonymous":    "Anonim",
		"voice_note":        "(pesan suara)",
	},
	"en": {
		"greet": "Hello, this is {union}. You can report here safely.\n\n" +
			"You will choose how to report:\n" +
			"• Named – union officers know who you are.\n" +
			"• Confidential – your name and number are kept locked; only the officer handling your report can see them.\n" +
			"• Anonymous – nobody knows who you are and your number is not kept; you get a receipt code to follow your report.\n\n" +
			"Ketik ID untuk Bahasa Indonesia.",
		"ask_type":     "What would you like to tell us? Reply with a number:\n1. Complaint (a problem at work)\n2. Aspiration (a proposal)\n3. Question",
		"ask_describe": "Tell us what happened: when, where, who was involved. You may send several messages, photos, voice notes or documents.\nType DONE when you have finished.",
		"got_item":     "Received. Send more, or type DONE when you have finished.",
		"too_short":    "That is still too short. Write a little more or send a voice note, then type DONE.",
		"ask_mode":     "How do you want to report? Reply with a number:\n1. Named\n2. Confidential\n3. Anonymous",
		"ask_mode_sms": "How do you want to report? Reply 1 (Named), 2 (Confidential) or 3 (Anonymous).",
		"anon_only":    "From this number only an anonymous report is possible. Reply 3 for anonymous, or CANCEL.",
		"anon_off":     "This union does not accept anonymous reports. Reply 1 (Named) or 2 (Confidential).",
		"confirm": "Check your report:\nType: {type}\nStory: {summary}\nAttachments: {n}\nHow you report: {mode}\n\n" +
			"Reply YES to send it, or CANCEL to cancel.",
		"filing":    "Your report is being sent. Please wait a moment.",
		"cancelled": "Report cancelled. Nothing was kept. Send any message to start again.",
		"filed":     "Your report has been received with number {ref}. We will update you on this number. Reply to this message to add details.",
		"filed_anon": "Your anonymous report has been received.\n\nRECEIPT CODE: {receipt}\n\n" +
			"WRITE THIS CODE ON PAPER NOW. Only with this code can you follow your report at {link}. " +
			"We do not keep your number and cannot send this code again. Once you have written it down, you may delete this chat.",
		"file_failed":       "Your report could not be sent yet: {reason}. Please fix it and type DONE again.",
		"forwarded":         "Your message has been passed to the officer for report {ref}.",
		"forward_fail":      "Your message did not reach the officer. Please send it again.",
		"update":            "There is news about report {ref}. Open {link} to see it.",
		"type.complaint":    "Complaint",
		"type.aspiration":   "Aspiration",
		"type.information":  "Question",
		"mode.named":        "Named",
		"mode.confidential": "Confidential",
		"mode.anonymous":    "Anonymous",
		"voice_note":        "(voice note)",
	},
}

// say renders a line in locale with its placeholders.
func say(locale, key string, kv ...string) string {
	m, ok := texts[locale]
	if !ok {
		m = texts["id"]
	}
	s := m[key]
	for i := 0; i+1 < len(kv); i += 2 {
		s = strings.ReplaceAll(s, "{"+kv[i]+"}", kv[i+1])
	}
	return s
}
