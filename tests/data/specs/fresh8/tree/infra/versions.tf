stand-in for infra/versions.tf
