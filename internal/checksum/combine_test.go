package checksum

import (
	"math/rand/v2"
	"testing"

	"github.com/hoardstore/hoard/internal/storage"
)

func TestCombineMatchesDirectComputation(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	splits := []int{0, 1, 7, 8, 4095, 65536, 500000, len(data) - 1, len(data)}
	for _, alg := range []storage.ChecksumAlgorithm{storage.ChecksumCRC32, storage.ChecksumCRC32C, storage.ChecksumCRC64NVME} {
		want := crcOf(alg, data)
		for _, at := range splits {
			t.Run(string(alg), func(t *testing.T) {
				a, b := crcOf(alg, data[:at]), crcOf(alg, data[at:])
				got, err := Combine(alg, a, b, int64(len(data)-at))
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Fatalf("split at %d: got %#x, want %#x", at, got, want)
				}
			})
		}
	}
}

func TestCombineRejectsOtherAlgorithms(t *testing.T) {
	for _, alg := range []storage.ChecksumAlgorithm{storage.ChecksumSHA1, storage.ChecksumSHA256, "MD5", storage.ChecksumNone} {
		if _, err := Combine(alg, 1, 2, 3); err == nil {
			t.Errorf("Combine(%q): got nil error, want one", alg)
		}
	}
	if _, err := Combine(storage.ChecksumCRC32, 1, 2, -1); err == nil {
		t.Error("negative length: got nil error, want one")
	}
}

func crcOf(alg storage.ChecksumAlgorithm, b []byte) uint64 {
	h := New(alg)
	h.Write(b)
	return beUint(h.Sum(nil))
}
