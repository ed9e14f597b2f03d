package meta

// EncodeFor encodes rec as drive position pos of its set stores it: every
// version's Erasure.Index is the shard that position holds (rec is
// changed in place).
func EncodeFor(rec *Record, pos int) []byte {
	for i := range rec.Versions {
		e := &rec.Versions[i].Erasure
		if pos < len(e.Distribution) {
			e.Index = int(e.Distribution[pos])
		}
	}
	return EncodeRecord(rec)
}

// NormalizeRecord re-encodes an encoded record with the per-drive shard
// index cleared, so the copies of one object on different drives compare
// equal; bytes that do not decode are returned as they are.
func NormalizeRecord(b []byte) []byte {
	r, err := DecodeRecord(b)
	if err != nil {
		return b
	}
	for i := range r.Versions {
		r.Versions[i].Erasure.Index = 0
	}
	return EncodeRecord(r)
}
