data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  account_id      = data.aws_caller_identity.current.account_id
  partition       = data.aws_partition.current.partition
  broker_role_arn = var.create_broker_role ? aws_iam_role.broker[0].arn : "arn:${local.partition}:iam::${local.account_id}:role/${var.broker_role_name}"

  target_policy_attachments = merge([
    for role, settings in var.target_roles : {
      for arn in settings.managed_policy_arns : "${role}|${arn}" => { role = role, policy_arn = arn }
    }
  ]...)
}

# ---- The broker's own identity -------------------------------------------------------------------------------------

resource "aws_iam_role" "broker" {
  count                = var.create_broker_role ? 1 : 0
  name                 = var.broker_role_name
  assume_role_policy   = templatefile("${path.module}/policies/broker-trust.json", { broker_service_principal = var.broker_service_principal })
  max_session_duration = 3600
}

resource "aws_iam_instance_profile" "broker" {
  count = var.create_broker_role && var.broker_service_principal == "ec2.amazonaws.com" ? 1 : 0
  name  = var.broker_role_name
  role  = aws_iam_role.broker[0].name
}

# Mint (sts:AssumeRole + TagSession + SetSourceIdentity) and revoke (the aab-revoked-sessions inline policy) on target
# roles only. Nothing else: no iam:GetRole, no ListRolePolicies, no policy attachment.
resource "aws_iam_policy" "broker" {
  name        = "${var.name_prefix}-broker"
  description = "AgentAccessBroker: mint STS sessions in target roles and maintain their revocation deny policy."
  policy = templatefile("${path.module}/policies/broker-permissions.json", {
    partition        = local.partition
    account_id       = local.account_id
    target_role_path = var.target_role_path
  })
}

resource "aws_iam_role_policy_attachment" "broker" {
  role       = var.create_broker_role ? aws_iam_role.broker[0].name : var.broker_role_name
  policy_arn = aws_iam_policy.broker.arn
}

# ---- Target roles agents get sessions in ---------------------------------------------------------------------------

# The broker can write inline policies on target roles (that is how it revokes), so a boundary caps what any inline
# policy could ever grant: no IAM, no STS role chaining (a chained session would escape the per-session deny).
resource "aws_iam_policy" "target_boundary" {
  name        = "${var.name_prefix}-target-boundary"
  description = "AgentAccessBroker: permissions boundary of every target role."
  policy      = file("${path.module}/policies/target-permissions-boundary.json")
}

resource "aws_iam_role" "target" {
  for_each             = var.target_roles
  name                 = each.key
  path                 = var.target_role_path
  max_session_duration = each.value.max_session_duration
  permissions_boundary = aws_iam_policy.target_boundary.arn
  assume_role_policy   = templatefile("${path.module}/policies/target-trust.json", { broker_role_arn = local.broker_role_arn })
}

resource "aws_iam_role_policy_attachment" "target" {
  for_each   = local.target_policy_attachments
  role       = aws_iam_role.target[each.value.role].name
  policy_arn = each.value.policy_arn
}

resource "aws_iam_role_policy" "target_example" {
  for_each = { for role, settings in var.target_roles : role => settings if settings.example_bucket != "" }
  name     = "example-read-bucket"
  role     = aws_iam_role.target[each.key].name
  policy   = templatefile("${path.module}/policies/target-permissions-example.json", { partition = local.partition, bucket = each.value.example_bucket })
}
