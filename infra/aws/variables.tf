variable "name_prefix" {
  description = "Prefix for the IAM policies this module creates."
  type        = string
  default     = "aab"
}

variable "create_broker_role" {
  description = "Create the broker's own role (with an instance profile). Set false to attach the broker policy to an existing role named broker_role_name."
  type        = bool
  default     = true
}

variable "broker_role_name" {
  description = "Name of the role the broker runs as."
  type        = string
  default     = "aab-broker"
}

variable "broker_service_principal" {
  description = "Service that runs the broker and assumes its role (ec2.amazonaws.com: instance-profile credentials are not role chaining, so sessions may last up to the target role's maximum)."
  type        = string
  default     = "ec2.amazonaws.com"
}

variable "target_role_path" {
  description = "IAM path of every role agents get sessions in. The broker may only assume, and only edit the inline policies of, roles under this path."
  type        = string
  default     = "/aab-targets/"

  validation {
    condition     = can(regex("^/([\\x21-\\x7E]+/)?$", var.target_role_path))
    error_message = "target_role_path must start and end with '/'."
  }
}

variable "target_roles" {
  description = "Target roles to create: name => settings. max_session_duration must equal the policy target's max_session_duration setting."
  type = map(object({
    max_session_duration = optional(number, 3600)
    managed_policy_arns  = optional(list(string), [])
    example_bucket       = optional(string, "")
  }))
  default = {}
}
