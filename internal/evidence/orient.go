package evidence

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"image"
	"image/draw"
	"io"
)

// jpegOrientation returns the EXIF orientation (1..8) of the JPEG in r, or
// 1 when there is none or it cannot be read: orientation only improves the
// display, so a damaged EXIF block is not a reason to refuse a photo. Only
// the marker segments before the first scan are read.
func jpegOrientation(r io.Reader) int {
	br := bufio.NewReader(r)
	var soi [2]byte
	if _, err := io.ReadFull(br, soi[:]); err != nil || soi != [2]byte{0xFF, 0xD8} {
		return 1
	}
	for {
		b, err := br.ReadByte()
		if err != nil || b != 0xFF {
			return 1
		}
		marker, err := br.ReadByte()
		for err == nil && marker == 0xFF { // fill bytes
			marker, err = br.ReadByte()
		}
		if err != nil {
			return 1
		}
		switch {
		case marker == 0xDA || marker == 0xD9: // start of scan, end of image
			return 1
		case marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7): // no length
			continue
		}
		var lb [2]byte
		if _, err := io.ReadFull(br, lb[:]); err != nil {
			return 1
		}
		n := int(binary.BigEndian.Uint16(lb[:])) - 2
		if n < 0 {
			return 1
		}
		if marker == 0xE1 {
			seg := make([]byte, n)
			if _, err := io.ReadFull(br, seg); err != nil {
				return 1
			}
			if tiff, ok := bytes.CutPrefix(seg, []byte("Exif\x00\x00")); ok {
				if o := exifOrientation(tiff); o != 0 {
					return o
				}
			}
			continue
		}
		if _, err := br.Discard(n); err != nil {
			return 1
		}
	}
}

// exifOrientation reads tag 0x0112 from IFD0 of a TIFF-structured EXIF
// block; 0 when absent or malformed.
func exifOrientation(tiff []byte) int {
	if len(tiff) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(tiff[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 0
	}
	ifd := uint64(bo.Uint32(tiff[4:8]))
	if ifd+2 > uint64(len(tiff)) {
		return 0
	}
	count := uint64(bo.Uint16(tiff[ifd:]))
	for i := uint64(0); i < count; i++ {
		off := ifd + 2 + 12*i
		if off+12 > uint64(len(tiff)) {
			return 0
		}
		e := tiff[off : off+12]
		if bo.Uint16(e[0:2]) != 0x0112 {
			continue
		}
		if bo.Uint16(e[2:4]) != 3 { // SHORT
			return 0
		}
		if v := bo.Uint16(e[8:10]); v >= 1 && v <= 8 {
			return int(v)
		}
		return 0
	}
	return 0
}

// orient returns img transformed so that it displays upright for EXIF
// orientation o. YCbCr (what the JPEG decoder returns for colour photos)
// and Gray are moved plane by plane; anything else goes through RGBA.
func orient(img image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	// src maps a destination pixel to the source pixel (both relative to
	// their own origin) for each orientation.
	src := func(x, y int) (int, int) {
		switch o {
		case 2:
			return w - 1 - x, y
		case 3:
			return w - 1 - x, h - 1 - y
		case 4:
			return x, h - 1 - y
		case 5:
			return y, x
		case 6:
			return y, h - 1 - x
		case 7:
			return w - 1 - y, h - 1 - x
		default: // 8
			return w - 1 - y, x
		}
	}
	dr := image.Rect(0, 0, dw, dh)
	switch s := img.(type) {
	case *image.YCbCr:
		d := image.NewYCbCr(dr, image.YCbCrSubsampleRatio444)
		for y := 0; y < dh; y++ {
			for x := 0; x < dw; x++ {
				sx, sy := src(x, y)
				sx, sy = sx+b.Min.X, sy+b.Min.Y
				di := d.YOffset(x, y)
				d.Y[di] = s.Y[s.YOffset(sx, sy)]
				ci := s.COffset(sx, sy)
				d.Cb[di], d.Cr[di] = s.Cb[ci], s.Cr[ci]
			}
		}
		return d
	case *image.Gray:
		d := image.NewGray(dr)
		for y := 0; y < dh; y++ {
			for x := 0; x < dw; x++ {
				sx, sy := src(x, y)
				d.Pix[d.PixOffset(x, y)] = s.Pix[s.PixOffset(sx+b.Min.X, sy+b.Min.Y)]
			}
		}
		return d
	default:
		rgba := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(rgba, rgba.Rect, img, b.Min, draw.Src)
		d := image.NewRGBA(dr)
		for y := 0; y < dh; y++ {
			for x := 0; x < dw; x++ {
				sx, sy := src(x, y)
				si, di := rgba.PixOffset(sx, sy), d.PixOffset(x, y)
				copy(d.Pix[di:di+4], rgba.Pix[si:si+4])
			}
		}
		return d
	}
}
