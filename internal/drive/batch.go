package drive

import "github.com/hoardstore/hoard/internal/meta"

// DropData adds to b what removes v's data from the metadata: its inline
// shard, or the reference to its data directory (which the caller removes
// with RemoveDataDir once no reader needs it). A delete marker has none.
func (b *Batch) DropData(v *meta.Version) {
	switch {
	case v == nil || v.DeleteMarker:
	case v.Inline:
		b.Mutations = append(b.Mutations, Mutation{NS: NSInline, Key: InlineKey(v.DataDir), Delete: true})
	default:
		b.Unref = append(b.Unref, v.DataDir)
	}
}
