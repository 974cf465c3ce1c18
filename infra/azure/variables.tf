variable "subscription_id" {
  description = "Subscription the agents work in."
  type        = string
}

variable "grant_scopes" {
  description = "Resource group ids under which the broker may hand out roles (its Role Based Access Control Administrator assignments)."
  type        = list(string)
}

variable "agents" {
  description = "One service principal per agent. federated_subject (optional) adds a workload identity credential for that subject on federated_issuer."
  type = map(object({
    federated_issuer  = optional(string)
    federated_subject = optional(string)
  }))
}

variable "broker_display_name" {
  description = "Display name of the broker's app registration."
  type        = string
  default     = "AgentAccessBroker"
}

variable "enable_client_secret_mode" {
  description = "Grant the broker Application.ReadWrite.OwnedBy and make it owner of the agents' apps, so targets may use mode client_secret."
  type        = bool
  default     = false
}

variable "enable_pim_mode" {
  description = "Create and assign the PIM requester role so targets may use mode pim. Not limited by the ABAC condition; see README."
  type        = bool
  default     = false
}
