terraform {
  required_version = ">= 1.5"
  backend "gcs" {
    bucket = "museum-tfstate"
    prefix = "collections-platform"
  }
}

resource "google_storage_bucket" "images_master" {
  name          = "${var.project}-images-master"
  location      = var.region
  storage_class = "STANDARD"
  versioning { enabled = true }
}

resource "google_storage_bucket" "images_staging" {
  name          = "${var.project}-images-staging"
  location      = var.region
  force_destroy = true
}

resource "google_container_node_pool" "general" {
  name       = "general"
  cluster    = var.cluster_name
  node_count = var.general_nodes
  node_config { machine_type = "e2-standard-4" }
}
