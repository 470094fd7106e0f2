// Buckets are the folders at the top of the caller's tree: ListBuckets, CreateBucket,
// HeadBucket, DeleteBucket, GetBucketLocation.

#include "core/name_rules.h"
#include "s3api/object_keys.h"
#include "s3api/s3_call.h"

namespace coffer::s3api {
namespace {

// Whether any file lies below `folder` (empty folders are no objects).
Result<bool> holds_files(service::FileService& files, int64_t actor, const Node& folder) {
  auto children = all_children(files, actor, folder);
  COFFER_RETURN_IF_ERROR(children);
  for (const Node& child : *children) {
    if (child.kind == NodeKind::kFile) return true;
    auto below = holds_files(files, actor, child);
    COFFER_RETURN_IF_ERROR(below);
    if (*below) return true;
  }
  return false;
}

}  // namespace

api::Response list_buckets(S3Call& call) {
  auto root = call.ctx.files.root(call.actor());
  if (!root.is_ok()) return call.fail(root.status());
  auto children = all_children(call.ctx.files, call.actor(), *root);
  if (!children.is_ok()) return call.fail(children.status());
  std::string body = "<ListAllMyBucketsResult xmlns=\"";
  body += kS3Namespace;
  body += "\"><Owner>";
  append_element(body, "ID", std::to_string(call.actor()));
  body += "</Owner><Buckets>";
  for (const Node& n : *children) {
    if (n.kind != NodeKind::kFolder) continue;
    body += "<Bucket>";
    append_element(body, "Name", n.name);
    append_element(body, "CreationDate", iso8601_millis(n.created));
    body += "</Bucket>";
  }
  body += "</Buckets></ListAllMyBucketsResult>";
  return xml_response(200, std::move(body));
}

api::Response create_bucket(S3Call& call) {
  // A CreateBucketConfiguration body (a location constraint) is read and not needed: there
  // is one region.
  auto name = normalize_name(call.target.bucket);
  if (!name.is_ok()) return call.fail(S3Error{400, "InvalidBucketName", name.status().message()});
  auto root = call.ctx.files.root(call.actor());
  if (!root.is_ok()) return call.fail(root.status());
  auto made = call.ctx.files.create_folder(call.actor(), root->id, *name);
  if (!made.is_ok()) {
    if (made.status().code() == Errc::kNameConflict) {
      auto existing = find_bucket(call.ctx.files, call.actor(), *name);
      if (existing.is_ok()) {
        return call.fail(S3Error{409, "BucketAlreadyOwnedByYou",
                                 "Your previous request to create the named bucket succeeded "
                                 "and you already own it."});
      }
      return call.fail(
          S3Error{409, "BucketAlreadyExists", "A file of that name is at the top of your files."});
    }
    return call.fail(made.status());
  }
  api::Response response;
  response.set_header("Location", "/" + *name);
  return response;
}

api::Response head_bucket(S3Call& call) {
  auto bucket = find_bucket(call.ctx.files, call.actor(), call.target.bucket);
  if (!bucket.is_ok()) return call.fail(bucket.status(), "NoSuchBucket");
  api::Response response;
  response.set_header("x-amz-bucket-region", call.ctx.options.region);
  return response;
}

api::Response delete_bucket(S3Call& call) {
  auto bucket = find_bucket(call.ctx.files, call.actor(), call.target.bucket);
  if (!bucket.is_ok()) return call.fail(bucket.status(), "NoSuchBucket");
  auto full = holds_files(call.ctx.files, call.actor(), *bucket);
  if (!full.is_ok()) return call.fail(full.status());
  if (*full) {
    return call.fail(S3Error{409, "BucketNotEmpty", "The bucket you tried to delete is not empty"});
  }
  // Into the trash with the empty folders it still holds, like any deletion.
  Status removed =
      call.ctx.files.remove(call.request.principal, api::origin_of(call.request), bucket->id);
  if (!removed.is_ok()) return call.fail(removed, "NoSuchBucket");
  api::Response response;
  response.status = 204;
  return response;
}

api::Response get_bucket_location(S3Call& call) {
  auto bucket = find_bucket(call.ctx.files, call.actor(), call.target.bucket);
  if (!bucket.is_ok()) return call.fail(bucket.status(), "NoSuchBucket");
  std::string body = "<LocationConstraint xmlns=\"";
  body += kS3Namespace;
  body += "\">";
  // us-east-1 is written as nothing, as S3 does.
  if (call.ctx.options.region != "us-east-1") body += call.ctx.options.region;
  body += "</LocationConstraint>";
  return xml_response(200, std::move(body));
}

}  // namespace coffer::s3api
