#pragma once
// The rows that describe stored chunks, written and read the same way by every store that
// references chunks from a version or a thumbnail: `chunks` (one row per chunk, with its
// fast check) and the ordered chunk lists that point into it.

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "meta/database.h"

namespace coffer::meta {

// Records that chunk `c` is stored, unless it already is; a row written before the chunk's
// check was known gets it now.
Status record_chunk(Connection& conn, const VersionChunk& c, Micros now);

// A chunk's check as a column value: NULL when unknown, else its 64 bits as a BIGINT.
Value chunk_check_value(uint64_t check);
// The check from such a column: 0 when NULL.
uint64_t chunk_check_of(const Row& row, size_t column);

// The chunk list of `list_table` ("version_chunks", "thumbnail_chunks") rows matching
// `where` (an SQL condition over the list's columns, with its parameters), in `seq` order, each
// with its chunk's check (0 when unknown).
Result<std::vector<VersionChunk>> load_chunk_list(Connection& conn, std::string_view list_table,
                                                  std::string_view where, const Params& params);

}  // namespace coffer::meta
