require ["fileinto", "relational"];
if header :value "lt" "Subject" "M" {
    fileinto "yes";
} else {
    fileinto "no";
}
