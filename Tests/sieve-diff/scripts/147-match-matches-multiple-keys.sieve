require ["fileinto"];
if header :matches "Subject" ["nope*", "*Friday?"] {
    fileinto "yes";
} else {
    fileinto "no";
}
