require ["fileinto"];
if anyof (false, header :contains "Subject" "Lunch") {
    fileinto "yes";
} else {
    fileinto "no";
}
