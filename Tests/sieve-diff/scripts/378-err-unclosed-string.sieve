keep;
if header :is "Subject" "oops {
  discard;
}
