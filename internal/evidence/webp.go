package evidence

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// maxWebPChunks bounds the chunk list kept in memory; a still WebP has at
// most VP8X, ICCP, ALPH, image data, EXIF and XMP.
const maxWebPChunks = 64

// webpKeep lists the chunks copied to the stored file. Everything else
// (EXIF, XMP, unknown chunks that could smuggle anything) is dropped.
var webpKeep = map[string]bool{"VP8X": true, "VP8 ": true, "VP8L": true, "ALPH": true, "ICCP": true}

type riffChunk struct {
	id   string
	off  int64 // payload offset in the file
	size uint32
}

type webpInfo struct {
	width, height int // largest declared by VP8X, VP8 or VP8L
	animated      bool
	keep          []riffChunk
}

// scanWebP walks the RIFF container without reading image data.
func scanWebP(r io.Reader, fileSize int64) (webpInfo, error) {
	var info webpInfo
	br := bufio.NewReader(r)
	var hdr [12]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil {
		return info, fmt.Errorf("webp header: %w", ErrCorrupt)
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WEBP" {
		return info, fmt.Errorf("webp header: %w", ErrCorrupt)
	}
	end := 8 + int64(binary.LittleEndian.Uint32(hdr[4:8]))
	if end > fileSize || end < 12 {
		return info, fmt.Errorf("webp riff size %d of %d bytes: %w", end, fileSize, ErrCorrupt)
	}
	grow := func(w, h int) {
		info.width, info.height = max(info.width, w), max(info.height, h)
	}
	pos := int64(12)
	for nchunks := 0; pos < end; nchunks++ {
		if nchunks == maxWebPChunks {
			return info, fmt.Errorf("webp: too many chunks: %w", ErrCorrupt)
		}
		var ch [8]byte
		if end-pos < 8 {
			return info, fmt.Errorf("webp chunk header: %w", ErrCorrupt)
		}
		if _, err := io.ReadFull(br, ch[:]); err != nil {
			return info, fmt.Errorf("webp chunk header: %w", ErrCorrupt)
		}
		id, size := string(ch[0:4]), binary.LittleEndian.Uint32(ch[4:8])
		payload := pos + 8
		if payload+int64(size) > end {
			return info, fmt.Errorf("webp chunk %q overruns file: %w", id, ErrCorrupt)
		}
		// Peek at the few header bytes that carry dimensions.
		var head []byte
		if n := min(int(size), 10); n > 0 {
			head = make([]byte, n)
			if _, err := io.ReadFull(br, head); err != nil {
				return info, fmt.Errorf("webp chunk %q: %w", id, ErrCorrupt)
			}
		}
		switch id {
		case "VP8X":
			if len(head) < 10 {
				return info, fmt.Errorf("webp VP8X: %w", ErrCorrupt)
			}
			info.animated = info.animated || head[0]&0x02 != 0
			grow(1+int(le24(head[4:7])), 1+int(le24(head[7:10])))
		case "VP8 ":
			if len(head) < 10 || head[3] != 0x9d || head[4] != 0x01 || head[5] != 0x2a {
				return info, fmt.Errorf("webp VP8 frame header: %w", ErrCorrupt)
			}
			grow(int(binary.LittleEndian.Uint16(head[6:8])&0x3fff), int(binary.LittleEndian.Uint16(head[8:10])&0x3fff))
		case "VP8L":
			if len(head) < 5 || head[0] != 0x2f {
				return info, fmt.Errorf("webp VP8L header: %w", ErrCorrupt)
			}
			bits := binary.LittleEndian.Uint32(head[1:5])
			grow(1+int(bits&0x3fff), 1+int(bits>>14&0x3fff))
		case "ANIM", "ANMF":
			info.animated = true
		}
		if webpKeep[id] {
			info.keep = append(info.keep, riffChunk{id: id, off: payload, size: size})
		}
		// Chunks are padded to an even length; a missing final pad byte is
		// tolerated as libwebp does.
		next := min(payload+int64(size)+int64(size&1), end)
		if _, err := br.Discard(int(next - payload - int64(len(head)))); err != nil {
			return info, fmt.Errorf("webp chunk %q: %w", id, ErrCorrupt)
		}
		pos = next
	}
	return info, nil
}

// writeWebP writes a RIFF/WEBP file holding only the kept chunks, with the
// VP8X EXIF and XMP flags cleared so readers do not look for them.
func writeWebP(w io.Writer, src io.ReaderAt, info webpInfo) error {
	total := int64(4) // "WEBP"
	for _, c := range info.keep {
		total += 8 + int64(c.size) + int64(c.size&1)
	}
	if total > 0xFFFFFFFF {
		return fmt.Errorf("webp too large: %w", ErrCorrupt)
	}
	var hdr [12]byte
	copy(hdr[0:4], "RIFF")
	binary.LittleEndian.PutUint32(hdr[4:8], uint32(total))
	copy(hdr[8:12], "WEBP")
	if _, err := w.Write(hdr[:]); err != nil {
		return fmt.Errorf("write webp: %w", err)
	}
	for _, c := range info.keep {
		var ch [8]byte
		copy(ch[0:4], c.id)
		binary.LittleEndian.PutUint32(ch[4:8], c.size)
		if _, err := w.Write(ch[:]); err != nil {
			return fmt.Errorf("write webp: %w", err)
		}
		body := io.NewSectionReader(src, c.off, int64(c.size))
		if c.id == "VP8X" {
			var x [10]byte
			if _, err := io.ReadFull(body, x[:]); err != nil {
				return fmt.Errorf("read webp VP8X: %w", ErrCorrupt)
			}
			const xmpBit, exifBit = 1 << 2, 1 << 3
			x[0] &^= xmpBit | exifBit
			if _, err := w.Write(x[:]); err != nil {
				return fmt.Errorf("write webp: %w", err)
			}
		}
		if _, err := io.Copy(w, body); err != nil {
			return fmt.Errorf("copy webp chunk %q: %w", c.id, err)
		}
		if c.size&1 == 1 {
			if _, err := w.Write([]byte{0}); err != nil {
				return fmt.Errorf("write webp: %w", err)
			}
		}
	}
	return nil
}

func le24(b []byte) uint32 { return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 }
