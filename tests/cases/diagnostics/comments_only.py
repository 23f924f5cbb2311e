# E: FC002 "no FlowSpec subclass is defined in this"
# Only comments: the file defines no flow.
