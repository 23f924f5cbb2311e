# E: FC002
# Only comments: the file defines no flow.
