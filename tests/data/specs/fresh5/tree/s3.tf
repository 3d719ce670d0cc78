resource "aws_s3_bucket" "build_artifacts" {}
