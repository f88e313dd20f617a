package evidence

import (
	"bufio"
	"context"
	"fmt"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"

	"golang.org/x/image/webp"
)

// Photo dimension caps, checked from the header before any pixel memory is
// allocated. 40 megapixels is above any phone camera's default mode; a
// decoded image that size is already ~60 MB of YCbCr.
const (
	MaxImagePixels = 40_000_000
	MaxImageSide   = 12000
)

// jpegQuality is high enough that re-encoding a phone photo keeps its
// evidential detail (text on a payslip, a face at a distance).
const jpegQuality = 90

func checkDimensions(w, h int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("image %dx%d: %w", w, h, ErrCorrupt)
	}
	if w > MaxImageSide || h > MaxImageSide || int64(w)*int64(h) > MaxImagePixels {
		return fmt.Errorf("image %dx%d: %w", w, h, ErrImageTooLarge)
	}
	return nil
}

// checkDecoded refuses a photo whose decoded pixels would take more than
// maxBytes: w×h pixels at bpp bytes each. Dimensions alone do not bound
// memory: a 16-bit RGBA PNG takes 8 bytes a pixel where an 8-bit gray one
// takes 1.
func checkDecoded(w, h, bpp int, maxBytes int64) error {
	if need := int64(w) * int64(h) * int64(bpp); need > maxBytes {
		return fmt.Errorf("image %dx%d at %d bytes a pixel needs %d bytes, over %d: %w", w, h, bpp, need, maxBytes, ErrImageTooLarge)
	}
	return nil
}

// bytesPerPixel is what the standard decoders allocate per pixel for a
// colour model, taking the worst case where the model does not say (YCbCr
// may be 4:2:0 at 1.5 bytes or 4:4:4 at 3).
func bytesPerPixel(m color.Model) int {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel, color.NYCbCrAModel:
		return 4
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}

// sanitisePhoto validates the photo at src and writes a metadata-free copy
// to dst. JPEG and PNG are decoded and re-encoded by the standard library,
// which writes no EXIF, XMP, comments or text chunks; WebP (no pure-Go
// encoder exists) is validated by decoding and then rewritten chunk by
// chunk keeping only image data. A decode that would take more than
// maxDecoded bytes is refused from the header.
func sanitisePhoto(ctx context.Context, src string, t Type, dst string, maxDecoded int64) (w, h int, err error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, 0, fmt.Errorf("open photo: %w", err)
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return 0, 0, fmt.Errorf("stat photo: %w", err)
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, 0, fmt.Errorf("create temp file: %w", err)
	}
	defer out.Close()
	bw := bufio.NewWriterSize(out, copyBufferSize)

	switch t.MIME {
	case "image/jpeg":
		w, h, err = reencodeJPEG(ctx, in, bw, maxDecoded)
	case "image/png":
		w, h, err = reencodePNG(ctx, in, bw, maxDecoded)
	case "image/webp":
		w, h, err = rewriteWebP(ctx, in, info.Size(), bw, maxDecoded)
	default:
		err = &ErrTypeNotAllowed{Detected: t.MIME}
	}
	if err != nil {
		return 0, 0, err
	}
	if err = bw.Flush(); err != nil {
		return 0, 0, fmt.Errorf("write photo: %w", err)
	}
	if err = out.Close(); err != nil {
		return 0, 0, fmt.Errorf("close photo: %w", err)
	}
	return w, h, nil
}

func reencodeJPEG(ctx context.Context, in *os.File, w io.Writer, maxDecoded int64) (int, int, error) {
	cfg, err := jpeg.DecodeConfig(bufio.NewReader(in))
	if err != nil {
		return 0, 0, fmt.Errorf("jpeg header: %v: %w", err, ErrCorrupt)
	}
	if err := checkDimensions(cfg.Width, cfg.Height); err != nil {
		return 0, 0, err
	}
	if _, err := in.Seek(0, io.SeekStart); err != nil {
		return 0, 0, fmt.Errorf("rewind photo: %w", err)
	}
	orientation := jpegOrientation(in)
	bpp := bytesPerPixel(cfg.ColorModel)
	if orientation > 1 {
		// Turning makes a second image: a 4:4:4 YCbCr or Gray copy of
		// the same size, or an RGBA conversion and its copy.
		switch cfg.ColorModel {
		case color.YCbCrModel, color.GrayModel:
			bpp *= 2
		default:
			bpp += 8
		}
	}
	if err := checkDecoded(cfg.Width, cfg.Height, bpp, maxDecoded); err != nil {
		return 0, 0, err
	}
	if _, err := in.Seek(0, io.SeekStart); err != nil {
		return 0, 0, fmt.Errorf("rewind photo: %w", err)
	}
	img, err := jpeg.Decode(bufio.NewReaderSize(in, copyBufferSize))
	if err != nil {
		return 0, 0, fmt.Errorf("decode jpeg: %v: %w", err, ErrCorrupt)
	}
	if err := ctx.Err(); err != nil {
		return 0, 0, err
	}
	// The orientation tag goes with the rest of the EXIF, so it is applied
	// to the pixels: otherwise portrait phone photos would turn sideways.
	img = orient(img, orientation)
	if err := jpeg.Encode(w, img, &jpeg.Options{Quality: jpegQuality}); err != nil {
		return 0, 0, fmt.Errorf("encode jpeg: %w", err)
	}
	b := img.Bounds()
	return b.Dx(), b.Dy(), nil
}

func reencodePNG(ctx context.Context, in *os.File, w io.Writer, maxDecoded int64) (int, int, error) {
	cfg, err := png.DecodeConfig(bufio.NewReader(in))
	if err != nil {
		return 0, 0, fmt.Errorf("png header: %v: %w", err, ErrCorrupt)
	}
	if err := checkDimensions(cfg.Width, cfg.Height); err != nil {
		return 0, 0, err
	}
	if err := checkDecoded(cfg.Width, cfg.Height, bytesPerPixel(cfg.ColorModel), maxDecoded); err != nil {
		return 0, 0, err
	}
	if _, err := in.Seek(0, io.SeekStart); err != nil {
		return 0, 0, fmt.Errorf("rewind photo: %w", err)
	}
	img, err := png.Decode(bufio.NewReaderSize(in, copyBufferSize))
	if err != nil {
		return 0, 0, fmt.Errorf("decode png: %v: %w", err, ErrCorrupt)
	}
	if err := ctx.Err(); err != nil {
		return 0, 0, err
	}
	if err := png.Encode(w, img); err != nil {
		return 0, 0, fmt.Errorf("encode png: %w", err)
	}
	b := img.Bounds()
	return b.Dx(), b.Dy(), nil
}

func rewriteWebP(ctx context.Context, in *os.File, size int64, w io.Writer, maxDecoded int64) (int, int, error) {
	// Our own chunk walk gives the dimensions of every frame header, not
	// just the VP8X canvas the library's DecodeConfig reports, so a small
	// canvas cannot hide a huge frame.
	info, err := scanWebP(io.NewSectionReader(in, 0, size), size)
	if err != nil {
		return 0, 0, err
	}
	if info.animated {
		return 0, 0, &ErrTypeNotAllowed{Detected: "image/webp; animated"}
	}
	if err := checkDimensions(info.width, info.height); err != nil {
		return 0, 0, err
	}
	// Lossy WebP decodes to 4:2:0 YCbCr (with alpha: 2.5 bytes), lossless
	// to NRGBA: 4 bytes covers both.
	if err := checkDecoded(info.width, info.height, 4, maxDecoded); err != nil {
		return 0, 0, err
	}
	img, err := webp.Decode(bufio.NewReaderSize(io.NewSectionReader(in, 0, size), copyBufferSize))
	if err != nil {
		return 0, 0, fmt.Errorf("decode webp: %v: %w", err, ErrCorrupt)
	}
	if err := ctx.Err(); err != nil {
		return 0, 0, err
	}
	if err := writeWebP(w, in, info); err != nil {
		return 0, 0, err
	}
	b := img.Bounds()
	return b.Dx(), b.Dy(), nil
}
