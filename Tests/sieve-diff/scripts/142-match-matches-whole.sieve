require ["fileinto"];
if header :matches "Subject" "Lunch" {
    fileinto "yes";
} else {
    fileinto "no";
}
