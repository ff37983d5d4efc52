require ["fileinto"];
if header :matches "Subject" "Привет*" {
    fileinto "yes";
} else {
    fileinto "no";
}
