variable "project" {
  type    = string
  default = "museum-collections"
}

variable "region" {
  type    = string
  default = "europe-west2"
}

variable "cluster_name" {
  type    = string
  default = "collections-prod"
}

variable "general_nodes" {
  type    = number
  default = 3
}
