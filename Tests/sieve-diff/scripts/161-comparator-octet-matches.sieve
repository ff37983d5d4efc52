require ["fileinto"];
if header :matches :comparator "i;octet" "Subject" "L*?" {
    fileinto "yes";
} else {
    fileinto "no";
}
