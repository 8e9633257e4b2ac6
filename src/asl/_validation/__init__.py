"""The insides of asl.validate: field tables, string syntax and the per-field checks."""
